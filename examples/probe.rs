use aeo_console::store::{Access, Store};
use std::time::Instant;
fn main() {
    let db = std::path::Path::new("target/bench-data/large-100000-1000000.db");
    let s = Store::open(db, Access::ReadOnly).unwrap();
    let t = Instant::now();
    let n = s.queue_len().unwrap();
    println!("queue_len {n} {:?}", t.elapsed());
    let t = Instant::now();
    let n = s.queue_filtered_len("").unwrap();
    println!("filtered_len {n} {:?}", t.elapsed());
    let t = Instant::now();
    let r = s.queue(50, 0).unwrap();
    println!("queue {} {:?}", r.len(), t.elapsed());
    let t = Instant::now();
    let r = s.approvals(false).unwrap();
    println!("approvals {} {:?}", r.len(), t.elapsed());
    let cal = aeo_console::calendar::WorkingCalendar::official();
    let cat = aeo_console::domain::measures::MeasureCatalog::official();
    let now: jiff::Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
    let t = Instant::now();
    let c: Vec<_> = r.iter().map(|a| a.countdown(cal, cat, now)).collect();
    println!("countdowns {} {:?}", c.len(), t.elapsed());
    let t = Instant::now();
    let r = s
        .slots_between(
            jiff::civil::date(2026, 11, 1),
            jiff::civil::date(2026, 11, 30),
        )
        .unwrap();
    println!("slots {} {:?}", r.len(), t.elapsed());
    use aeo_console::tui::{Action, App, Clock, PaneId, Session};
    let t = Instant::now();
    let store = Store::open(db, Access::ReadOnly).unwrap();
    println!("open {:?}", t.elapsed());
    let t = Instant::now();
    let mut app = App::new(
        store,
        Session {
            operator: "b".into(),
            db_label: "x".into(),
            demo: false,
            read_only: true,
            lang: aeo_console::cli::Lang::Zh,
        },
        Clock::Frozen(now),
        aeo_console::tui::keymap::Keymap::default(),
        aeo_console::tui::theme::Theme::choose(
            None,
            aeo_console::tui::theme::ColorSupport::TrueColor,
        )
        .unwrap(),
    )
    .unwrap();
    println!("App::new {:?}", t.elapsed());
    let t = Instant::now();
    app.resize(160, 48);
    println!("resize {:?}", t.elapsed());
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    let t = Instant::now();
    term.draw(|f| app.draw(f)).unwrap();
    println!("draw {:?}", t.elapsed());
    let t = Instant::now();
    app.update(Action::SwitchPane(PaneId::Approvals));
    println!("switch approvals {:?}", t.elapsed());
    let t = Instant::now();
    term.draw(|f| app.draw(f)).unwrap();
    println!("draw {:?}", t.elapsed());
    let t = Instant::now();
    let r = s.day_clearance(jiff::civil::date(2026, 11, 27)).unwrap();
    println!("clearance {:?} {:?}", r, t.elapsed());
}
#[allow(dead_code)]
fn unused() {}
