//! The hotline's work loop through the real `aeo` binary on temporary databases: calls,
//! problems to 清零, verifications, coordinators on duty, each change in the audit trail.

use aeo_console::store::testing::each_backend;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-11-27T10:00:00+08:00";

fn aeo_at(db: &Path, now: &str, operator: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aeo"));
    // Refusals are checked in English; the Chinese text is checked by the domain's tests.
    c.args(args)
        .args(["--lang", "en"])
        .env("AEO_DB", db)
        .env("AEO_NOW", now)
        .env("AEO_OPERATOR", operator)
        .env_remove("AEO_PROBLEM_TARGETS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    aeo_at(db, NOW, "tester", args).output().unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "aeo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The command fails with one line naming the problem, and the database is unchanged.
fn refused(db: &Path, args: &[&str]) -> String {
    let before = fingerprint(db);
    let out = run(db, args);
    assert!(!out.status.success(), "aeo {args:?} should have failed");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert_eq!(fingerprint(db), before, "aeo {args:?} changed the database");
    err
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).expect("JSON")
}

/// The first column of the first row of `sql`, as text ("NULL" for none), from either backend.
fn query(db: &Path, sql: &str) -> String {
    query_on(db, sql, sql)
}

/// Like `query`, with the statement written for each backend where their SQL differs.
fn query_on(db: &Path, sqlite: &str, postgres: &str) -> String {
    aeo_console::store::testing::first_cell(db, sqlite, postgres)
}

fn is_id(v: &Value, id: &str) -> bool {
    v.as_i64().is_some_and(|n| n.to_string() == id)
}

fn fingerprint(db: &Path) -> String {
    [
        "calls",
        "problems",
        "problem_notes",
        "verifications",
        "audit_log",
    ]
    .iter()
    .map(|t| query(db, &format!("SELECT count(*) FROM {t}")))
    .collect::<Vec<_>>()
    .join(",")
}

/// `aeo call log --enterprise E --question Q` and more.
fn call_log<'a>(e: &'a str, question: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["call", "log", "--enterprise", e, "--question", question];
    v.extend_from_slice(rest);
    v
}

/// `aeo problem open --enterprise E --summary S` and more.
fn problem_open<'a>(e: &'a str, summary: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["problem", "open", "--enterprise", e, "--summary", summary];
    v.extend_from_slice(rest);
    v
}

/// `aeo verification schedule --enterprise E --kind K --date D` and more.
fn schedule<'a>(e: &'a str, kind: &'a str, date: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "verification",
        "schedule",
        "--enterprise",
        e,
        "--kind",
        kind,
        "--date",
        date,
    ];
    v.extend_from_slice(rest);
    v
}

/// Runs `test` on a demo database (seed 7) of each backend.
fn on_each_demo(test: impl Fn(&Path)) {
    for t in each_backend() {
        eprintln!("on {:?}", t.backend);
        ok(t.location(), &["demo", "--seed", "7"]);
        test(t.location());
    }
}

/// An AEO enterprise's USCC.
fn aeo_enterprise(db: &Path) -> String {
    query(
        db,
        "SELECT uscc FROM enterprises WHERE credit = 'advanced' ORDER BY id LIMIT 1",
    )
}

/// Whether `aeo coordinators --enterprise E` lists the coordinator with this telephone.
fn is_coordinator_of(db: &Path, e: &str, phone: &str) -> bool {
    let list = json(db, &["coordinators", "--enterprise", e, "--json"]);
    list["coordinators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["phone"] == phone)
}

fn last_audit(db: &Path) -> (String, String, String) {
    let last = query(
        db,
        "SELECT operator || '|' || action || '|' || entity FROM audit_log ORDER BY id DESC LIMIT 1",
    );
    let mut parts = last.splitn(3, '|').map(str::to_string);
    let mut next = || parts.next().unwrap_or_default();
    (next(), next(), next())
}

#[test]
fn an_answered_call_is_logged_listed_and_audited() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        let out = ok(
            db,
            &call_log(
                &e,
                "夜间能否预约通关？",
                &[
                    "--channel",
                    "hotline",
                    "--measure",
                    "27",
                    "--answer",
                    "可以，需提前8小时",
                    "--caller",
                    "王经理",
                ],
            ),
        );
        assert!(out.contains("logged call"), "{out}");
        assert_eq!(
            last_audit(db),
            ("tester".into(), "create".into(), "calls".into())
        );
        let calls = json(db, &["calls", "--enterprise", &e, "--json"]);
        let first = &calls[0];
        assert_eq!(first["question"], "夜间能否预约通关？");
        assert_eq!(first["measures"], serde_json::json!([27]));
        assert_eq!(first["outcome"], "answered");
        assert_eq!(first["operator"], "tester");
        assert_eq!(first["caller_name"], "王经理");
    });
}

#[test]
fn a_call_with_outcome_problem_opens_the_problem_from_it() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        ok(
            db,
            &call_log(&e, "深圳转关货物滞留", &["--outcome", "problem"]),
        );
        let call = query(db, "SELECT max(id) FROM calls");
        let problem = query(
            db,
            &format!("SELECT status FROM problems WHERE call_id = {call}"),
        );
        assert_eq!(problem, "open");
        let calls = json(db, &["calls", "--limit", "1", "--json"]);
        assert!(calls[0]["problem_id"].is_i64());
    });
}

#[test]
fn callbacks_count_down_and_leave_the_open_list_when_made() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        ok(
            db,
            &call_log(
                &e,
                "查询审批进度",
                &["--outcome", "callback", "--callback-by", "2026-11-27 15:00"],
            ),
        );
        let id = query(db, "SELECT max(id) FROM calls");
        let open = json(db, &["calls", "--callbacks-open", "--json"]);
        let mine = open
            .as_array()
            .unwrap()
            .iter()
            .find(|c| is_id(&c["id"], &id))
            .expect("the callback is open");
        assert_eq!(mine["callback"]["state"], "due");
        assert_eq!(mine["callback"]["secs_left"], 5 * 3600);
        ok(db, &["call", "done", &id]);
        assert_eq!(last_audit(db).1, "callback_done");
        let open = json(db, &["calls", "--callbacks-open", "--json"]);
        assert!(
            open.as_array()
                .unwrap()
                .iter()
                .all(|c| !is_id(&c["id"], &id))
        );
        let err = refused(db, &["call", "done", &id]);
        assert!(err.contains("already called back"), "{err}");
    });
}

#[test]
fn bad_calls_are_refused_naming_the_field_and_write_nothing() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        let err = refused(db, &call_log("no such firm", "q", &["--answer", "a"]));
        assert!(err.contains("no enterprise"), "{err}");
        let err = refused(
            db,
            &call_log(
                &e,
                "q",
                &["--outcome", "callback", "--callback-by", "2026-11-27 09:00"],
            ),
        );
        assert!(err.contains("callback-by") && err.contains("past"), "{err}");
        let err = refused(
            db,
            &call_log(&e, "q", &["--answer", "a", "--channel", "fax"]),
        );
        assert!(err.contains("--channel") && err.contains("'fax'"), "{err}");
        let err = refused(
            db,
            &call_log(&e, "q", &["--answer", "a", "--measure", "40"]),
        );
        assert!(err.contains("'40'"), "{err}");
        let err = refused(db, &call_log(&e, "q", &[]));
        assert!(err.contains("answer"), "{err}");
        // The operator's language by default.
        let out = Command::new(env!("CARGO_BIN_EXE_aeo"))
            .args(["call", "log", "--enterprise", &e, "--question", "q"])
            .env("AEO_DB", db)
            .env("AEO_NOW", NOW)
            .env_remove("AEO_LANG")
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stderr).contains("已答复的来电须写明答复内容"));
    });
}

#[test]
fn a_problem_goes_to_qingling_and_every_step_is_audited() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        let out = ok(
            db,
            &problem_open(&e, "宁波转关单未核销", &["--districts", "宁波,深圳海关"]),
        );
        let id = query(db, "SELECT max(id) FROM problems");
        assert!(out.contains(&format!("opened problem {id}")), "{out}");
        assert_eq!(
            query(
                db,
                &format!("SELECT districts FROM problems WHERE id = {id}")
            ),
            "宁波,深圳"
        );
        let coordinator = query(db, "SELECT name FROM coordinators ORDER BY id LIMIT 1");
        ok(
            db,
            &["problem", "assign", &id, "--coordinator", &coordinator],
        );
        assert_eq!(last_audit(db).1, "assign");
        ok(db, &["problem", "note", &id, "已联系宁波海关"]);
        assert_eq!(last_audit(db).1, "note");
        ok(
            db,
            &["problem", "resolve", &id, "--resolution", "宁波海关已核销"],
        );
        assert_eq!(last_audit(db).1, "resolve");
        ok(db, &["problem", "close", &id]);
        assert_eq!(last_audit(db).1, "close");
        let err = refused(db, &["problem", "resolve", &id, "--resolution", "again"]);
        assert!(err.contains("closed"), "{err}");
        ok(
            db,
            &["problem", "reopen", &id, "--reason", "企业反映仍未核销"],
        );
        assert_eq!(
            query(db, &format!("SELECT status FROM problems WHERE id = {id}")),
            "assigned"
        );
        let list = json(db, &["problems", "--open", "--enterprise", &e, "--json"]);
        let p = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| is_id(&p["id"], &id))
            .unwrap();
        assert_eq!(p["coordinator"], coordinator);
        assert_eq!(p["clock"]["age_working_days"], 0);
        let entries = json(
            db,
            &["audit", "--enterprise", &e, "--json", "--limit", "20"],
        );
        let actions: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["entity"] == "problems" && is_id(&a["entity_id"], &id))
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["reopen", "close", "resolve", "note", "assign", "create"]
        );
    });
}

#[test]
fn bad_problems_are_refused_naming_the_field() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        let err = refused(db, &problem_open(&e, "x", &["--districts", "深圳,火星"]));
        assert!(err.contains("districts") && err.contains("'火星'"), "{err}");
        let err = refused(db, &problem_open(&e, "x", &["--from-call", "99999"]));
        assert!(err.contains("from-call"), "{err}");
        let err = refused(db, &["problem", "assign", "99999", "--coordinator", "1"]);
        assert!(err.contains("no problem 99999"), "{err}");
        let err = refused(db, &problem_open(&e, "x", &["--coordinator", "nobody"]));
        assert!(err.contains("coordinator"), "{err}");
    });
}

#[test]
fn of_two_operators_resolving_one_problem_exactly_one_wins() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        ok(db, &problem_open(&e, "口岸查验结果争议", &[]));
        let id = query(db, "SELECT max(id) FROM problems");
        let children: Vec<_> = ["alice", "bob"]
            .iter()
            .map(|op| {
                aeo_at(
                    db,
                    NOW,
                    op,
                    &[
                        "problem",
                        "resolve",
                        &id,
                        "--resolution",
                        &format!("{op} 已解决"),
                    ],
                )
                .spawn()
                .unwrap()
            })
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let wins = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(wins, 1);
        let loser = outs.iter().find(|o| !o.status.success()).unwrap();
        let err = String::from_utf8_lossy(&loser.stderr);
        let winner = query(
            db,
            &format!("SELECT resolved_by FROM problems WHERE id = {id}"),
        );
        assert!(
            err.contains("already resolved") && err.contains(&winner),
            "{err}"
        );
        assert_eq!(
            query(
                db,
                &format!(
                    "SELECT count(*) FROM audit_log WHERE entity = 'problems' AND entity_id = {id} AND action = 'resolve'"
                )
            ),
            "1"
        );
    });
}

#[test]
fn the_qingling_report_groups_open_problems_oldest_first() {
    on_each_demo(|db| {
        let r = json(db, &["report", "problems", "--json"]);
        let groups = r["by_enterprise"].as_array().unwrap();
        assert!(!groups.is_empty());
        assert_eq!(r["enterprises_not_cleared"], groups.len());
        let open: usize = groups
            .iter()
            .map(|g| g["problems"].as_array().unwrap().len())
            .sum();
        assert_eq!(r["open"], open);
        // The oldest problem leads: its age is the largest of all.
        let ages: Vec<i64> = groups
            .iter()
            .map(|g| g["problems"][0][1].as_i64().unwrap())
            .collect();
        assert_eq!(ages[0], *ages.iter().max().unwrap());
        let tight = json(
            db,
            &[
                "report",
                "problems",
                "--targets",
                "reply=30,resolve=60",
                "--json",
            ],
        );
        assert!(
            tight["past_target"].as_array().unwrap().len()
                < r["past_target"].as_array().unwrap().len()
        );
        let err = refused(db, &["report", "problems", "--targets", "reply=x"]);
        assert!(err.contains("reply=x"), "{err}");
    });
}

#[test]
fn a_second_management_verification_in_a_year_needs_an_audited_reason() {
    on_each_demo(|db| {
        let e = query(
            db,
            "SELECT e.uscc FROM enterprises e WHERE credit = 'certified' AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.enterprise_id = e.id) ORDER BY id LIMIT 1",
        );
        ok(
            db,
            &schedule(&e, "management", "2026-12-31", &["--team", "稽查一组"]),
        );
        let err = refused(db, &schedule(&e, "management", "2026-12-20", &[]));
        assert!(
            err.contains("measure 17") && err.contains("override-reason"),
            "{err}"
        );
        // The next year starts again.
        ok(db, &schedule(&e, "management", "2027-01-01", &[]));
        let out = ok(
            db,
            &schedule(
                &e,
                "management",
                "2026-12-20",
                &["--override-reason", "专项稽查指令"],
            ),
        );
        assert!(out.contains("override recorded"), "{out}");
        assert!(
            out.contains("verification merge"),
            "a merge is proposed: {out}"
        );
        let id = query(db, "SELECT max(id) FROM verifications");
        assert_eq!(
            query_on(
                db,
                &format!(
                    "SELECT json_extract(after, '$.override_reason') FROM audit_log WHERE entity = 'verifications' AND entity_id = {id}"
                ),
                &format!(
                    "SELECT after::jsonb ->> 'override_reason' FROM audit_log WHERE entity = 'verifications' AND entity_id = {id}"
                )
            ),
            "专项稽查指令"
        );
        let first = query(
            db,
            &format!(
                "SELECT min(id) FROM verifications WHERE enterprise_id = (SELECT id FROM enterprises WHERE uscc = '{e}')"
            ),
        );
        ok(db, &["verification", "merge", &first, &id]);
        assert_eq!(last_audit(db).1, "merge");
        assert_eq!(
            query(
                db,
                &format!("SELECT merged_into FROM verifications WHERE id = {id}")
            ),
            first
        );
        assert_eq!(
            query(
                db,
                &format!("SELECT team FROM verifications WHERE id = {id}")
            ),
            "稽查一组"
        );
        let err = refused(db, &["verification", "merge", &first, &id]);
        assert!(err.contains("already merged"), "{err}");
        let list = json(
            db,
            &[
                "verifications",
                "--enterprise",
                &e,
                "--year",
                "2026",
                "--json",
            ],
        );
        assert_eq!(list["verifications"].as_array().unwrap().len(), 2);
    });
}

#[test]
fn aeo_only_verification_rules_are_refused_for_a_regular_enterprise() {
    on_each_demo(|db| {
        let e = query(
            db,
            "SELECT uscc FROM enterprises WHERE credit = 'regular' ORDER BY id LIMIT 1",
        );
        let err = refused(
            db,
            &schedule(&e, "management", "2026-12-01", &["--self-check"]),
        );
        assert!(err.contains("AEO enterprises only"), "{err}");
        let err = refused(db, &schedule(&e, "audit", "2026-12-01", &[]));
        assert!(err.contains("--kind"), "{err}");
        let err = refused(db, &schedule(&e, "other", "2026-02-30", &[]));
        assert!(err.contains("--date"), "{err}");
    });
}

#[test]
fn coordinators_on_duty_change_at_17_00_and_on_weekends() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        let at = |now: &str| -> Value {
            let out = aeo_at(
                db,
                now,
                "tester",
                &["coordinators", "--enterprise", &e, "--json"],
            )
            .output()
            .unwrap();
            assert!(out.status.success());
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let before = at("2026-11-27 16:59");
        let after = at("2026-11-27 17:00");
        let sunday = at("2026-11-29 11:00");
        let on = |v: &Value| -> Vec<String> {
            v["coordinators"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["on_duty"] == true)
                .map(|c| c["duty_hours"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(on(&before).iter().any(|d| d.contains("17:00")), "{before}");
        assert!(!on(&after).iter().any(|d| d.ends_with("-17:00")), "{after}");
        // Whoever is on duty is listed first.
        for v in [&before, &after, &sunday] {
            let flags: Vec<bool> = v["coordinators"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["on_duty"].as_bool().unwrap())
                .collect();
            let mut sorted = flags.clone();
            sorted.sort_by(|a, b| b.cmp(a));
            assert_eq!(flags, sorted);
        }
    });
}

#[test]
fn coordinators_are_linked_and_calls_are_marked_for_the_hotline_person() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        let port = query(
            db,
            "SELECT phone FROM coordinators WHERE role = 'port' ORDER BY id DESC LIMIT 1",
        );
        let out = ok(
            db,
            &[
                "coordinator",
                "link",
                "--enterprise",
                &e,
                "--coordinator",
                &port,
            ],
        );
        assert!(out.contains("coordinator of"), "{out}");
        assert_eq!(last_audit(db).1, "link");
        assert!(is_coordinator_of(db, &e, &port));
        ok(db, &["hotline-person", "--enterprise", &e, "zhoumin"]);
        assert_eq!(last_audit(db).1, "set_hotline_person");
        ok(db, &call_log(&e, "q", &["--answer", "a"]));
        let calls = json(db, &["calls", "--limit", "1", "--json"]);
        assert_eq!(calls[0]["marked_for"], "zhoumin");
        let regular = query(
            db,
            "SELECT uscc FROM enterprises WHERE credit = 'regular' ORDER BY id LIMIT 1",
        );
        let err = refused(db, &["hotline-person", "--enterprise", &regular, "zhoumin"]);
        assert!(err.contains("AEO enterprises only"), "{err}");
    });
}

#[test]
fn today_lists_an_open_callback_and_a_problem_past_its_target() {
    on_each_demo(|db| {
        let e = aeo_enterprise(db);
        ok(
            db,
            &call_log(
                &e,
                "今日回电",
                &["--outcome", "callback", "--callback-by", "2026-11-27 10:30"],
            ),
        );
        let t = json(db, &["today", "--json"]);
        let callbacks = t["callbacks"].as_array().unwrap();
        let mine = callbacks
            .iter()
            .find(|c| c["question"] == "今日回电")
            .unwrap();
        assert_eq!(mine["callback"]["state"], "due");
        assert_eq!(mine["callback"]["soon"], true);
        for p in t["problems_past_target"].as_array().unwrap() {
            let c = &p["clock"];
            assert!(
                c["reply_late"] == true || c["resolution_late"] == true,
                "{p}"
            );
        }
        assert_eq!(t["operator"], "tester");
        assert_eq!(t["days"].as_array().unwrap().len(), 2);
    });
}

#[test]
fn hotline_persons_and_coordinator_links_import_audited_and_export() {
    on_each_demo(|db| {
        let dir = tempfile::tempdir().unwrap();
        let e = query(
            db,
            "SELECT uscc FROM enterprises WHERE credit = 'certified' ORDER BY id LIMIT 1",
        );
        ok(db, &["hotline-person", "--enterprise", &e]);
        let port = query(
            db,
            &format!(
                "SELECT phone FROM coordinators c WHERE role = 'port' AND NOT EXISTS (SELECT 1 FROM enterprise_coordinators l JOIN enterprises e ON e.id = l.enterprise_id WHERE l.coordinator_id = c.id AND e.uscc = '{e}') ORDER BY id LIMIT 1"
            ),
        );
        let persons = dir.path().join("persons.csv");
        std::fs::write(&persons, format!("enterprise,person\n{e},zhoumin\n")).unwrap();
        let out = ok(
            db,
            &["import", "hotline-persons", persons.to_str().unwrap()],
        );
        assert!(out.contains("imported 1 hotline persons"), "{out}");
        assert_eq!(
            last_audit(db),
            (
                "tester".into(),
                "set_hotline_person".into(),
                "enterprises".into()
            )
        );
        let links = dir.path().join("links.csv");
        std::fs::write(
            &links,
            format!("enterprise,coordinator_phone\n{e},{port}\n"),
        )
        .unwrap();
        let out = ok(
            db,
            &["import", "coordinator-links", links.to_str().unwrap()],
        );
        assert!(out.contains("imported 1 coordinator links"), "{out}");
        assert_eq!(last_audit(db).1, "link");
        assert!(is_coordinator_of(db, &e, &port));
        // A second import of the same files is refused line by line; --skip-existing leaves them out.
        let out = run(
            db,
            &["import", "coordinator-links", links.to_str().unwrap()],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("links.csv:2: coordinator_phone: coordinator link")
                && err.contains("is already in the database"),
            "{err}"
        );
        let out = ok(
            db,
            &[
                "import",
                "hotline-persons",
                persons.to_str().unwrap(),
                "--skip-existing",
            ],
        );
        assert!(
            out.contains("imported 0") && out.contains("left out"),
            "{out}"
        );
        // Exports carry them in the import columns.
        let csv = ok(db, &["export", "hotline-persons"]);
        assert!(csv.starts_with("enterprise,person\n"), "{csv}");
        assert!(csv.contains(&format!("{e},zhoumin")), "{csv}");
        let csv = ok(db, &["export", "coordinator-links"]);
        assert!(csv.contains(&format!("{e},{port}")), "{csv}");
    });
}
