//! The local store and sync at CRM scale (numbers go to BENCHMARKS.md):
//! 100 000 customers on a real relay-server (in this process, SQLite, on
//! loopback), pulled into a fresh encrypted store; then search as you type
//! and one edit's round trip.
//! Run: `cargo bench -p relay-core --bench store_sync`.

use std::time::{Duration, Instant};

use relay_core::local::{LocalData, Unlock};
use relay_core::search::{Haystack, Query};
use relay_core::store::AccountFiles;
use relay_core::transfer::export::{self, Format, Labels, Section};
use relay_core::transfer::{Field, Progress, import};
use relay_core::transport::origin;
use relay_core::vault::KdfParams;
use relay_core::{Api, Session};
use relay_protocol::api::LoginResponse;
use relay_protocol::crm::Entity;
use relay_server::users::NewUser;
use relay_server::{Application, Config};
use secrecy::SecretString;
use serde_json::json;

const CUSTOMERS: usize = 100_000;
const PASSWORD: &str = relay_testkit::PASSWORD;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let server_dir = tempfile::tempdir().unwrap();
    let app = Application::build(Config::local(server_dir.path()))
        .await
        .unwrap();
    let state = app.state().clone();
    let user = relay_server::users::create(
        &state.db,
        &state.hasher,
        &relay_protocol::PasswordPolicy::default(),
        NewUser {
            login: "bench".into(),
            email: Some("bench@example.com".into()),
            phone: None,
            display_name: "Bench".into(),
            locale: "zh-CN".into(),
            password: SecretString::from(PASSWORD),
            admin: false,
            org_id: None,
        },
    )
    .await
    .unwrap();
    let records: Vec<_> = relay_server::demo_records::generate(
        CUSTOMERS,
        std::slice::from_ref(&user.id),
        1,
        chrono::Utc::now(),
        relay_server::demo_records::DemoLanguage::Chinese,
    )
    .into_iter()
    .filter(|(e, _, _)| *e == Entity::Customer)
    .collect();
    let started = Instant::now();
    relay_server::demo_records::insert(&state.db, &user.org_id, &user.id, &records)
        .await
        .unwrap();
    println!(
        "server: {} customers stored in {:.1} s",
        records.len(),
        started.elapsed().as_secs_f64()
    );
    let url = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    let api = Api::new(&url).unwrap();
    let LoginResponse::Session(pair) = api.login("bench", PASSWORD, "bench").await.unwrap() else {
        panic!()
    };
    let session = Session::new(api.clone(), &pair);
    let device = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(device.path(), &origin(api.base()), "bench");
    let Ok(Unlock::Opened(local)) =
        LocalData::unlock(&files, PASSWORD, true, None, KdfParams::default())
    else {
        panic!("a fresh store opens")
    };

    // The server's share: every page pulled and thrown away.
    let alone_started = Instant::now();

    let (mut cursor, mut pages) = (None::<String>, 0);
    loop {
        let page = session.pull(cursor.as_deref()).await.unwrap();
        pages += 1;
        cursor = Some(page.cursor);
        if !page.has_more {
            break;
        }
    }
    let paged = alone_started.elapsed();
    println!(
        "paging alone ({pages} pull pages of 1000, nothing stored): {:.2} s",
        paged.as_secs_f64()
    );
    // The same records by the change stream, read and parsed, nothing
    // stored: the server's share of a first sync.
    let started = Instant::now();
    let mut stream = session
        .changes(None)
        .await
        .unwrap()
        .expect("a change stream");
    let (mut streamed, mut checkpoints) = (0, 0);
    while let Some(batch) = stream.next_batch().await.unwrap() {
        streamed += batch.changes.len();
        checkpoints += 1;
    }
    let alone = started.elapsed();
    println!(
        "streaming alone ({streamed} changes, {checkpoints} checkpoints, nothing stored): {:.2} s, {:.2} × the paging",
        alone.as_secs_f64(),
        alone.as_secs_f64() / paged.as_secs_f64()
    );

    let started = Instant::now();
    let report = local.sync(&session).await.unwrap();
    let total = started.elapsed();
    println!(
        "first pull of {} customers into the encrypted store: {:.2} s, {:.2} × the stream that stores nothing",
        report.pulled,
        total.as_secs_f64(),
        total.as_secs_f64() / alone.as_secs_f64()
    );

    // Opening the Customers section: every row, light, in memory, in the
    // list's first order (by name, as the list sorts). The rows of the
    // opening before are dropped outside the timing: a section that opens
    // frees nothing.
    let (mut loads, mut reads) = (Vec::new(), Vec::new());
    let mut rows = Vec::new();
    for _ in 0..15 {
        drop(std::mem::take(&mut rows));
        let t = Instant::now();
        rows = local.rows(Entity::Customer).unwrap();
        reads.push(t.elapsed());
        let order = relay_core::local::order_by_text(&rows, |r| r.title());
        loads.push(t.elapsed());
        assert_eq!(order.len(), rows.len());
    }
    loads.sort();
    reads.sort();
    println!(
        "opening the Customers section ({} rows read from the store and sorted by name): median {:.0} ms, fastest {:.0} ms (the read alone {:.0} ms)",
        rows.len(),
        percentile(&loads, 0.5),
        percentile(&loads, 0.0),
        percentile(&reads, 0.5)
    );
    // `RELAY_BENCH_UNTIL=open`: stop here (a quick rerun of the pull and
    // the section open).
    if std::env::var("RELAY_BENCH_UNTIL").as_deref() == Ok("open") {
        return;
    }

    // Search as the list does it: the rows' text folded once when the
    // section opens, then one scan of it per key press.
    let t = Instant::now();
    let haystack = Haystack::new(&rows);
    println!(
        "folding the searched text of {} rows (once per section load): {:.1} ms",
        haystack.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let queries = [
        "上海",
        "华",
        "申通",
        "科技有限",
        "华信科技",
        "Northwind",
        "Trading",
        "harbor",
        "138",
        "13",
        "+86 138",
        "13800138000",
        "info@c12",
        "深圳恒通",
        "Ltd",
        "e",
        "ｌｔｄ",
        "无此公司",
    ];
    let (mut times, mut short, mut long) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..20 {
        for q in queries {
            let t = Instant::now();
            let hits = haystack.count(&Query::new(q));
            let took = t.elapsed();
            times.push(took);
            if q.chars().count() >= 3 {
                long.push(took);
            } else {
                short.push(took);
            }
            if round == 0 {
                println!("  {q}: {hits} rows");
            }
        }
    }
    for (label, list) in [("1-2 characters", &mut short), ("3+ characters", &mut long)] {
        list.sort();
        println!(
            "  {label}: p50 {:.2} ms, p95 {:.2} ms",
            percentile(list, 0.5),
            percentile(list, 0.95)
        );
    }
    times.sort();
    println!(
        "search as you type ({} queries over {} rows): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        rows.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0)
    );
    // The form's customer picker asks the store (rows and text kept
    // between queries until a record is written).
    let t = Instant::now();
    local.search(Entity::Customer, "申通", 6).unwrap();
    let first = t.elapsed();
    let mut picks = Vec::new();
    for q in queries {
        let t = Instant::now();
        local.search(Entity::Customer, q, 6).unwrap();
        picks.push(t.elapsed());
    }
    picks.sort();
    println!(
        "customer picker (LocalData::search, 6 answers): first query {:.0} ms (reads the rows), then p95 {:.2} ms",
        first.as_secs_f64() * 1000.0,
        percentile(&picks, 0.95)
    );

    // Export: every customer read whole from the store and written.
    let out = tempfile::tempdir().unwrap();
    let header = |_: Entity, f: Field| f.key().to_string();
    for format in [Format::Csv, Format::Json] {
        let t = Instant::now();
        let sections = [Section {
            entity: Entity::Customer,
            records: local.records(Entity::Customer).unwrap(),
        }];
        let customers = local.customer_names().unwrap();
        let labels = Labels {
            customers: &customers,
            header: &header,
        };
        let path = out.path().join(format!("customers.{:?}", format));
        let n = export::write(&path, format, &sections, &labels, &Progress::new()).unwrap();
        println!(
            "export of {n} customers as {format:?} (read from the store and written): {:.2} s, {:.1} MB",
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&path).unwrap().len() as f64 / 1_048_576.0
        );
    }
    // Import: a 10 000-row file read, mapped and checked against the
    // 100 000 customers here (the preview), then saved.
    let mut csv = String::from("客户名称,联系电话,电子邮箱,所属行业\r\n");
    for i in 0..10_000 {
        csv += &format!(
            "导入测试公司 {i},+86 139 {:04} {:04},buyer{i}@example.cn,制造业\r\n",
            i / 100,
            i
        );
    }
    let t = Instant::now();
    let file = import::read(csv.as_bytes()).unwrap();
    let existing = import::Existing::new(&local.rows(Entity::Customer).unwrap(), &[]);
    let mapping = import::guess(Entity::Customer, &file.headers);
    let checked = import::check(Entity::Customer, &file, &mapping, &existing, None);
    let imported: Vec<_> = checked.iter().map(|c| c.data.clone()).collect();
    println!(
        "import preview of {} rows (read, mapped, validated, duplicates against {} customers): {:.0} ms",
        checked.len(),
        rows.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut trips = Vec::new();
    for (i, row) in rows.iter().take(20).enumerate() {
        let t = Instant::now();
        local
            .save(
                Entity::Customer,
                Some(&row.id()),
                json!({"name": format!("改名 {i}")}),
            )
            .unwrap();
        local.sync(&session).await.unwrap();
        trips.push(t.elapsed());
    }
    trips.sort();
    println!(
        "one edit saved locally, pushed and confirmed (save + sync): median {:.1} ms, max {:.1} ms",
        percentile(&trips, 0.5),
        percentile(&trips, 1.0)
    );
    let t = Instant::now();
    let saved = local
        .import(Entity::Customer, imported, &Progress::new())
        .unwrap();
    println!(
        "import of {} rows saved as local edits: {:.2} s",
        saved.len(),
        t.elapsed().as_secs_f64()
    );

    let rss = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .map(|l| l.to_string())
        .unwrap_or_default();
    println!("peak memory of this process (server and store together): {rss}");
}
