//! Embeds every `data/holidays/*.toml` file into the library, so that adding a
//! year to the official calendar is adding one file.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("data").join("holidays");
    println!("cargo:rerun-if-changed=data/holidays");

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if let Ok(entries) = fs::read_dir(&dir) {
        for entry in entries {
            let entry = entry.expect("reading data/holidays");
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") || !path.is_file() {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("holiday file names must be UTF-8")
                .to_owned();
            println!("cargo:rerun-if-changed={}", path.display());
            files.push((name, path));
        }
    }
    files.sort();

    let mut out = String::from("pub(crate) static EMBEDDED: &[(&str, &str)] = &[\n");
    for (name, path) in &files {
        let abs = path.to_str().expect("holiday file paths must be UTF-8");
        out.push_str(&format!("    ({name:?}, include_str!({abs:?})),\n"));
    }
    out.push_str("];\n");

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::write(out_dir.join("holidays.rs"), out).expect("writing holidays.rs");
}
