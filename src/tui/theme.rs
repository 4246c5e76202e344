//! Themes are TOML files: by name, `NAME.toml` in the user's `$XDG_CONFIG_HOME/aeo-console/themes/`,
//! then in `/usr/share/aeo-console/themes/` (where the package installs them), then the built-in
//! ones (`themes/*.toml`, embedded); or any path given to `--theme`. Colours fall back to the 256-colour palette when the terminal does not advertise truecolor (SSH does
//! not forward COLORTERM), and disappear under NO_COLOR.

use anyhow::{Result, anyhow, bail};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const EMBEDDED: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// What colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorSupport {
    TrueColor,
    Palette256,
    /// The 16 ANSI colours: the Linux console and `screen` (TERM=linux, TERM=screen).
    Palette16,
    None,
}

impl ColorSupport {
    /// NO_COLOR (any non-empty value) wins; truecolor only when COLORTERM says so.
    pub fn from_env(no_color: Option<&str>, colorterm: Option<&str>) -> ColorSupport {
        ColorSupport::from_terminal(no_color, colorterm, None)
    }

    /// As `from_env`, and a TERM of `linux` or `screen` (without `256color`) has 16 colours.
    pub fn from_terminal(
        no_color: Option<&str>,
        colorterm: Option<&str>,
        term: Option<&str>,
    ) -> ColorSupport {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return ColorSupport::None;
        }
        match colorterm.map(|s| s.to_ascii_lowercase()) {
            Some(s) if s == "truecolor" || s == "24bit" => return ColorSupport::TrueColor,
            _ => {}
        }
        let term = term.unwrap_or_default().to_ascii_lowercase();
        let sixteen = (term == "linux" || term == "screen" || term.starts_with("screen."))
            && !term.contains("256color");
        if sixteen {
            ColorSupport::Palette16
        } else {
            ColorSupport::Palette256
        }
    }

    pub fn detect() -> ColorSupport {
        ColorSupport::from_terminal(
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reverse: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    styles: BTreeMap<String, StyleSpec>,
}

macro_rules! theme_styles {
    ($($field:ident),+ $(,)?) => {
        /// The styles every part of the console draws with.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            $(pub $field: Style,)+
        }

        const STYLE_NAMES: &[&str] = &[$(stringify!($field)),+];

        impl Theme {
            fn from_map(name: String, mut m: BTreeMap<String, Style>) -> Theme {
                Theme { name, $($field: m.remove(stringify!($field)).unwrap_or_default(),)+ }
            }
        }
    };
}

theme_styles!(
    base,
    header,
    header_warn,
    demo,
    tab,
    tab_active,
    border,
    border_focus,
    title,
    selected,
    muted,
    warn,
    overdue,
    paused,
    aeo,
    ok,
    error,
    info,
    weekend,
    holiday,
    makeup,
    today,
    unknown_year,
    key,
    heading,
);

fn parse_color(s: &str) -> Result<Color, String> {
    let t = s.trim();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() == 6
            && let Ok(v) = u32::from_str_radix(hex, 16)
        {
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return Err(format!("'{t}' is not a colour (#rrggbb)"));
    }
    if let Ok(i) = t.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    let named = match t.to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark_gray" | "dark_grey" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        _ => {
            return Err(format!(
                "'{t}' is not a colour (use #rrggbb, 0-255 or a name such as red)"
            ));
        }
    };
    Ok(named)
}

/// The nearest colour of the xterm 256-colour palette (the 6×6×6 cube and the grey ramp; the
/// first 16 are left out because terminals redefine them).
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let near_level = |v: u8| -> usize {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map(|(i, _)| i)
            .unwrap_or(0)
    };
    let dist = |a: (u8, u8, u8)| -> i32 {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        d(a.0, r) + d(a.1, g) + d(a.2, b)
    };
    let (ri, gi, bi) = (near_level(r), near_level(g), near_level(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_i = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey_v = 8 + 10 * grey_i;
    if dist((grey_v, grey_v, grey_v)) < dist(cube) {
        232 + grey_i
    } else {
        cube_index as u8
    }
}

/// The RGB of an xterm 256-colour index from the cube or the grey ramp.
fn rgb_of_256(i: u8) -> Option<(u8, u8, u8)> {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        16..=231 => {
            let n = usize::from(i - 16);
            Some((LEVELS[n / 36], LEVELS[(n / 6) % 6], LEVELS[n % 6]))
        }
        232..=255 => {
            let v = 8 + 10 * (i - 232);
            Some((v, v, v))
        }
        _ => None,
    }
}

/// The nearest of the 16 ANSI colours (xterm's values).
pub fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    const ANSI: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
    ANSI.iter()
        .min_by_key(|(_, (cr, cg, cb))| d(*cr, r) + d(*cg, g) + d(*cb, b))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

fn adapt(c: Color, support: ColorSupport) -> Option<Color> {
    match (support, c) {
        (ColorSupport::None, _) => None,
        (ColorSupport::Palette16, Color::Rgb(r, g, b)) => Some(nearest_16(r, g, b)),
        (ColorSupport::Palette16, Color::Indexed(i)) => match rgb_of_256(i) {
            Some((r, g, b)) => Some(nearest_16(r, g, b)),
            None => Some(Color::Indexed(i)),
        },
        (ColorSupport::Palette256, Color::Rgb(r, g, b)) => {
            Some(Color::Indexed(nearest_256(r, g, b)))
        }
        (_, c) => Some(c),
    }
}

/// Where themes are installed system-wide; `AEO_SYSTEM_THEMES` names another directory (tests).
const SYSTEM_THEMES: &str = "/usr/share/aeo-console/themes";

/// The directories a theme name is looked for in, in order: the user's, then the system's.
pub fn theme_dirs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(d) = dirs::config_dir() {
        v.push(d.join("aeo-console").join("themes"));
    }
    v.push(
        std::env::var_os("AEO_SYSTEM_THEMES")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_THEMES)),
    );
    v
}

/// A theme name, as opposed to a path: letters, digits, `-` and `_`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Every theme that can be named, each with where it comes from (a file, or "built-in"); the
/// first of a name wins, as in `Theme::resolve`.
pub fn available() -> Vec<(String, String)> {
    available_in(&theme_dirs())
}

fn available_in(dirs: &[PathBuf]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut found: Vec<(String, String)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .filter_map(|p| {
                let name = p.file_stem()?.to_str()?.to_string();
                is_name(&name).then(|| (name, p.display().to_string()))
            })
            .collect();
        found.sort();
        for f in found {
            if !out.iter().any(|(n, _)| *n == f.0) {
                out.push(f);
            }
        }
    }
    for (name, _) in EMBEDDED {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), "built-in".into()));
        }
    }
    out
}

impl Theme {
    /// A theme by name (`NAME.toml` in `theme_dirs()`, else a built-in one: dark, light, mono)
    /// or a theme file by path.
    pub fn resolve(name_or_path: &str, support: ColorSupport) -> Result<Theme> {
        Theme::resolve_in(name_or_path, support, &theme_dirs())
    }

    fn resolve_in(name_or_path: &str, support: ColorSupport, dirs: &[PathBuf]) -> Result<Theme> {
        if is_name(name_or_path) {
            for dir in dirs {
                let path = dir.join(format!("{name_or_path}.toml"));
                if path.is_file() {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| anyhow!("cannot read theme {}: {e}", path.display()))?;
                    return Theme::parse(&text, &path.display().to_string(), support);
                }
            }
            if let Some((_, text)) = EMBEDDED.iter().find(|(n, _)| *n == name_or_path) {
                return Theme::parse(text, name_or_path, support);
            }
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            let names: Vec<String> = available_in(dirs).into_iter().map(|(n, _)| n).collect();
            let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            bail!(
                "theme '{name_or_path}' is not a theme ({}) nor a file: theme files are NAME.toml in {}",
                names.join(", "),
                dirs.join(" or ")
            );
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read theme {}: {e}", path.display()))?;
        Theme::parse(&text, &path.display().to_string(), support)
    }

    /// Parses a theme file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str, support: ColorSupport) -> Result<Theme> {
        // The parser's message only, with the line: never the file's text, which may be a
        // file that is no theme at all (`:theme /etc/shadow`).
        let file: ThemeFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|r| 1 + text[..r.start.min(text.len())].matches('\n').count())
                .unwrap_or(1);
            anyhow!(
                "theme {origin}: not a theme file (line {line}: {})",
                e.message().trim().replace('\n', " ")
            )
        })?;
        let mut styles = BTreeMap::new();
        for (key, spec) in file.styles {
            if !STYLE_NAMES.contains(&key.as_str()) {
                bail!(
                    "theme {origin}: [styles] {key}: unknown style (styles: {})",
                    STYLE_NAMES.join(", ")
                );
            }
            let mut style = Style::new();
            for (which, value) in [("fg", &spec.fg), ("bg", &spec.bg)] {
                if let Some(v) = value {
                    let c = parse_color(v)
                        .map_err(|e| anyhow!("theme {origin}: [styles] {key}.{which}: {e}"))?;
                    if let Some(c) = adapt(c, support) {
                        style = if which == "fg" {
                            style.fg(c)
                        } else {
                            style.bg(c)
                        };
                    }
                }
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.dim, Modifier::DIM),
                (spec.italic, Modifier::ITALIC),
                (spec.underline, Modifier::UNDERLINED),
                (spec.reverse, Modifier::REVERSED),
            ] {
                if on {
                    style = style.add_modifier(m);
                }
            }
            styles.insert(key, style);
        }
        Ok(Theme::from_map(
            file.name.unwrap_or_else(|| origin.to_string()),
            styles,
        ))
    }

    /// The theme the console starts with: NO_COLOR means mono whatever was asked for.
    pub fn choose(requested: Option<&str>, support: ColorSupport) -> Result<Theme> {
        if support == ColorSupport::None {
            return Theme::resolve("mono", support);
        }
        Theme::resolve(requested.unwrap_or("dark"), support)
    }

    pub fn mono() -> Theme {
        Theme::resolve("mono", ColorSupport::None).expect("embedded mono theme parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_finds_the_users_theme_then_the_systems_then_the_built_in() {
        let dir = tempfile::tempdir().unwrap();
        let (user, system) = (dir.path().join("user"), dir.path().join("system"));
        std::fs::create_dir_all(user.join("aeo-console/themes")).unwrap();
        std::fs::create_dir_all(&system).unwrap();
        let theme =
            |name: &str| format!("name = \"{name}\"\n[styles]\nheader = {{ fg = \"#102030\" }}\n");
        std::fs::write(system.join("harbour.toml"), theme("system harbour")).unwrap();
        std::fs::write(system.join("dark.toml"), theme("system dark")).unwrap();
        std::fs::write(
            user.join("aeo-console/themes/harbour.toml"),
            theme("user harbour"),
        )
        .unwrap();
        let dirs = [user.join("aeo-console/themes"), system.clone()];
        let name = |n: &str| Theme::resolve_in(n, ColorSupport::TrueColor, &dirs).map(|t| t.name);
        let got = (
            name("harbour"),
            name("dark"),
            name("light"),
            name("nowhere"),
        );
        let list = available_in(&dirs);
        assert_eq!(got.0.unwrap(), "user harbour");
        assert_eq!(got.1.unwrap(), "system dark");
        assert_eq!(got.2.unwrap(), "light");
        let e = got.3.unwrap_err().to_string();
        assert!(
            e.contains("harbour") && e.contains(&system.display().to_string()),
            "{e}"
        );
        let names: Vec<&str> = list.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["harbour", "dark", "light", "mono"]);
        assert!(list[0].1.starts_with(&user.display().to_string()));
        assert_eq!(list[2].1, "built-in");
    }

    #[test]
    fn a_file_that_is_no_theme_is_refused_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("shadow");
        std::fs::write(
            &secret,
            "root:$6$secretHASH:19000:0:99999:7:::\nbin:*:19000\n",
        )
        .unwrap();
        let e = Theme::resolve(secret.to_str().unwrap(), ColorSupport::TrueColor)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("not a theme file") && e.contains("line 1"),
            "{e}"
        );
        assert!(!e.contains("secretHASH") && !e.contains("root:"), "{e}");
    }

    #[test]
    fn every_embedded_theme_parses_in_every_colour_mode() {
        for (name, _) in EMBEDDED {
            for s in [
                ColorSupport::TrueColor,
                ColorSupport::Palette256,
                ColorSupport::Palette16,
                ColorSupport::None,
            ] {
                Theme::resolve(name, s).unwrap();
            }
        }
    }

    #[test]
    fn the_linux_console_and_screen_get_sixteen_colours() {
        for term in ["linux", "screen", "screen.linux"] {
            assert_eq!(
                ColorSupport::from_terminal(None, None, Some(term)),
                ColorSupport::Palette16,
                "{term}"
            );
        }
        for term in ["screen-256color", "xterm-256color", "tmux-256color"] {
            assert_eq!(
                ColorSupport::from_terminal(None, None, Some(term)),
                ColorSupport::Palette256,
                "{term}"
            );
        }
        assert_eq!(nearest_16(200, 30, 30), Color::Red);
        assert_eq!(nearest_16(250, 250, 250), Color::White);
        let t = Theme::resolve("dark", ColorSupport::Palette16).unwrap();
        let colours = [t.error.fg, t.info.fg, t.selected.bg, t.header.bg];
        for c in colours.into_iter().flatten() {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(16..)),
                "{c:?} is not one of the 16"
            );
        }
    }

    #[test]
    fn without_truecolor_rgb_becomes_the_nearest_palette_colour() {
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        assert_eq!(nearest_256(0x5f, 0xaf, 0xd7), 74);
        assert_eq!(nearest_256(0x80, 0x80, 0x80), 244);
        let t = Theme::resolve("dark", ColorSupport::Palette256).unwrap();
        assert!(matches!(t.header.bg, Some(Color::Indexed(_))));
        let t = Theme::resolve("dark", ColorSupport::TrueColor).unwrap();
        assert!(matches!(t.header.bg, Some(Color::Rgb(..))));
    }

    #[test]
    fn no_color_means_no_colour_but_selection_and_urgency_still_show() {
        let support = ColorSupport::from_env(Some("1"), Some("truecolor"));
        assert_eq!(support, ColorSupport::None);
        let t = Theme::choose(Some("dark"), support).unwrap();
        for s in [t.header, t.selected, t.warn, t.overdue, t.holiday] {
            assert_eq!((s.fg, s.bg), (None, None));
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(t.overdue.add_modifier.contains(Modifier::UNDERLINED));
        assert_ne!(t.warn, t.overdue);
    }

    #[test]
    fn a_bad_theme_file_names_the_style() {
        let err = Theme::parse(
            "[styles]\nwarn = { fg = \"#12\" }\n",
            "x.toml",
            ColorSupport::TrueColor,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("x.toml") && err.contains("warn.fg"), "{err}");
        let err = Theme::parse(
            "[styles]\nwarning = {}\n",
            "x.toml",
            ColorSupport::TrueColor,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("warning"), "{err}");
    }
}
