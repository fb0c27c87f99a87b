//! The CRM workspace under iced_test's Simulator: a list of 100 000
//! customers builds only the rows in view; search finds Chinese and Latin
//! (the short-query scan and the trigram index of the real store); the
//! form shows the shared validation inline and saves locally; delete and
//! undo; the deals board totals; and the conflict dialog, fed by a real
//! clash through a real server.

use std::path::Path;

use iced_test::selector;
use relay_core::local::{LocalData, Row, Unlock};
use relay_core::vault::KdfParams;
use relay_core::{Api, Session};
use relay_protocol::api::LoginResponse;
use relay_protocol::crm::Entity;
use serde_json::json;

use crate::i18n::Language;
use crate::screen::workspace::{self, Workspace, form, list};
use crate::ui_tests::{alice, session_for, speak, ui};

const PASSWORD: &str = relay_testkit::DEMO_PASSWORD;
const FAST: KdfParams = relay_testkit::FAST_KDF;

pub(crate) fn local_in(dir: &Path) -> LocalData {
    let files = relay_core::store::AccountFiles::new(dir, "http://127.0.0.1:9", "alice");
    match LocalData::unlock(&files, PASSWORD, true, None, FAST).unwrap() {
        Unlock::Opened(l) => l,
        Unlock::NeedsPreviousPassword => unreachable!("a fresh folder"),
    }
}

fn workspace(local: &LocalData) -> Workspace {
    let me = alice().id.to_string();
    let (mut ws, _) = Workspace::new(local.clone(), session_for(&alice()), Some(me), false);
    load(&mut ws, local, Entity::Customer);
    ws
}

/// What the list's load task would deliver.
fn load(ws: &mut Workspace, local: &LocalData, entity: Entity) {
    let _ = ws.update(workspace::Message::Section(entity));
    let _ = ws.update(workspace::Message::List(
        entity,
        list::Message::Loaded(local.rows(entity).map(|rows| list::prepared(entity, rows))),
    ));
}

/// What a task delivers, run to its end on a thread of its own (with its
/// own runtime: the store's work runs on tokio's blocking threads), from
/// a plain test and an async one alike. Window and widget actions (focus)
/// have no answer and are left out.
fn outputs<T: Send + 'static>(task: iced::Task<T>) -> Vec<T> {
    use futures_util::StreamExt;
    let Some(stream) = iced_runtime::task::into_stream(task) else {
        return Vec::new();
    };
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(
            stream
                .filter_map(|action| async move {
                    match action {
                        iced_runtime::Action::Output(m) => Some(m),
                        _ => None,
                    }
                })
                .collect(),
        )
    })
    .join()
    .unwrap()
}

/// Updates the workspace as the running app does: what each update
/// starts (store reads and writes, off the UI thread) is run and its
/// answers fed back, until none are left.
pub(crate) fn settle(ws: &mut Workspace, message: workspace::Message) {
    let mut queue = std::collections::VecDeque::from([message]);
    while let Some(m) = queue.pop_front() {
        let (task, _) = ws.update(m);
        queue.extend(outputs(task));
    }
}

fn view_has(ws: &Workspace, text: &str) -> bool {
    ui(ws.view()).find(text).is_ok()
}

fn customer_row(i: usize) -> Row {
    Row::from_record(
        Entity::Customer,
        &format!("00000000-0000-4000-8000-{i:012}"),
        &json!({"name": format!("Customer {i:06}"), "phone": format!("+86 138 {i:08}")}),
        None,
    )
    .unwrap()
}

#[test]
fn a_list_of_100_000_customers_builds_only_the_rows_in_view() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    let mut ws = workspace(&local);
    let rows: Vec<Row> = (0..100_000).map(customer_row).collect();
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::Loaded(Ok(list::prepared(Entity::Customer, rows))),
    ));
    let list = ws.list(Entity::Customer);
    assert_eq!(list.shown(), 100_000);
    let range = list.visible_range();
    assert!(
        range.len() < 40,
        "only the rows in view are built, not {}",
        range.len()
    );
    assert!(view_has(&ws, "Customer 000000"));
    assert!(view_has(&ws, "Customer 000010"));
    assert!(
        !view_has(&ws, "Customer 099999"),
        "rows far below are not built"
    );
    assert!(view_has(&ws, "100000 records"));

    // Sorting by name the other way round brings the last one to the top.
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::Sort(list::SortKey::Title),
    ));
    assert!(view_has(&ws, "Customer 099999"));
    assert!(!view_has(&ws, "Customer 000000"));
}

fn seed(local: &LocalData) {
    for (name, phone, email) in [
        ("深圳云帆科技有限公司", "0755-8888 1234", "info@yunfan.cn"),
        ("上海申通物流有限公司", "021-6210 0000", "hello@sto.cn"),
        (
            "Northwind Traders",
            "+1 206 555 0100",
            "sales@northwind.com",
        ),
        (
            "Contoso Pharmaceuticals",
            "+44 20 7946 0000",
            "info@contoso.com",
        ),
    ] {
        local
            .save(
                Entity::Customer,
                None,
                json!({"name": name, "phone": phone, "email": email, "owner_id": alice().id.to_string()}),
            )
            .unwrap();
    }
}

fn search(ws: &mut Workspace, query: &str) {
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::Query(query.into()),
    ));
}

#[test]
fn search_as_you_type_finds_chinese_and_latin_names_phones_and_emails() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    seed(&local);
    let mut ws = workspace(&local);
    assert_eq!(ws.list(Entity::Customer).shown(), 4);

    // Typed into the real search box.
    let messages: Vec<workspace::Message> = {
        let mut sim = ui(ws.view());
        sim.click(selector::id(list::SEARCH_ID)).unwrap();
        sim.typewrite("云帆");
        sim.into_messages().collect()
    };
    for m in messages {
        let _ = ws.update(m);
    }
    assert_eq!(ws.list(Entity::Customer).shown(), 1, "two characters: scan");
    assert!(view_has(&ws, "深圳云帆科技有限公司"));
    assert!(!view_has(&ws, "上海申通物流有限公司"));

    for (query, expected) in [
        ("申通物流", "上海申通物流有限公司"),
        ("northwind", "Northwind Traders"),
        ("No", "Northwind Traders"),
        ("88881234", "深圳云帆科技有限公司"),
        ("contoso.com", "Contoso Pharmaceuticals"),
    ] {
        search(&mut ws, query);
        assert_eq!(ws.list(Entity::Customer).shown(), 1, "{query}");
        assert!(view_has(&ws, expected), "{query} → {expected}");
    }
    search(&mut ws, "无此公司");
    assert!(view_has(&ws, "Nothing matches “无此公司”."));
    search(&mut ws, "");
    assert_eq!(ws.list(Entity::Customer).shown(), 4);
}

#[test]
fn the_form_shows_errors_inline_in_both_languages_and_saves_locally() {
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    let mut ws = workspace(&local);
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::New,
    ));
    assert!(ws.form().is_some());
    let _ = ws.update(workspace::Message::Form(form::Message::Input(
        "email",
        "not-an-email".into(),
    )));
    let _ = ws.update(workspace::Message::Form(form::Message::Input(
        "phone",
        "12".into(),
    )));
    settle(&mut ws, workspace::Message::Form(form::Message::Save));
    {
        let _lang = speak(Language::English);
        assert!(view_has(&ws, "Required."));
        assert!(view_has(
            &ws,
            "Not an email address (like name@example.com)."
        ));
        assert!(view_has(
            &ws,
            "Not a phone number (5 to 20 digits; + - ( ) and spaces allowed)."
        ));
        assert!(view_has(
            &ws,
            "Please correct the fields marked above. Nothing was saved."
        ));
    }
    {
        let _lang = speak(Language::Chinese);
        assert!(view_has(&ws, "必填。"));
        assert!(view_has(&ws, "邮箱格式不正确（例如 name@example.com）。"));
    }
    assert_eq!(local.status().unwrap().pending, 0, "nothing saved");

    let _lang = speak(Language::English);
    // The name typed into the real input.
    let messages: Vec<workspace::Message> = {
        let mut sim = ui(ws.view());
        sim.click(selector::id(form::FIRST_FIELD_ID)).unwrap();
        sim.typewrite("杭州西湖茶业");
        sim.into_messages().collect()
    };
    for m in messages {
        let _ = ws.update(m);
    }
    let _ = ws.update(workspace::Message::Form(form::Message::Input(
        "email",
        "tea@xihu.cn".into(),
    )));
    let _ = ws.update(workspace::Message::Form(form::Message::Input(
        "phone",
        "0571-8765 4321".into(),
    )));
    // Save hands the write to the store and returns at once: the form
    // stays, its Save waiting, until the store answers.
    let (task, _) = ws.update(workspace::Message::Form(form::Message::Save));
    assert!(ws.form().is_some(), "the form waits for the store's answer");
    assert_eq!(
        local.status().unwrap().pending,
        0,
        "not written on the UI thread"
    );
    let _ = ws.update(workspace::Message::Form(form::Message::Save));
    for m in outputs(task) {
        settle(&mut ws, m);
    }
    assert!(ws.form().is_none(), "saved: the detail page opens");
    let detail = ws.detail().expect("detail page");
    assert_eq!(detail.record.data["name"], "杭州西湖茶业");
    assert!(view_has(&ws, "杭州西湖茶业"));
    assert!(view_has(&ws, "tea@xihu.cn"));
    assert_eq!(local.status().unwrap().pending, 1, "queued for the server");
    assert_eq!(ws.list(Entity::Customer).shown(), 1, "the list follows");
}

#[test]
fn a_deleted_record_comes_back_with_undo() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    seed(&local);
    let mut ws = workspace(&local);
    let id = ws
        .list(Entity::Customer)
        .shown_rows()
        .find(|r| r.title() == "Northwind Traders")
        .unwrap()
        .id()
        .to_string();
    settle(
        &mut ws,
        workspace::Message::List(Entity::Customer, list::Message::Open(id.clone())),
    );
    assert!(view_has(&ws, "Delete"));
    settle(
        &mut ws,
        workspace::Message::Detail(workspace::detail::Message::Delete),
    );
    assert_eq!(ws.list(Entity::Customer).shown(), 3);
    assert!(view_has(&ws, "Deleted “Northwind Traders”."));
    assert!(local.get(&id).unwrap().unwrap().deleted);
    let mut sim = ui(ws.view());
    sim.click("Undo").unwrap();
    for m in sim.into_messages().collect::<Vec<_>>() {
        settle(&mut ws, m);
    }
    assert_eq!(ws.list(Entity::Customer).shown(), 4);
    assert!(!local.get(&id).unwrap().unwrap().deleted);
    assert!(!view_has(&ws, "Deleted “Northwind Traders”."));
}

/// Pages are read off the UI thread, so answers can come late and out of
/// order: only the page asked for last opens, and a page the user has left
/// for another does not come back over it.
#[test]
fn a_record_page_read_late_does_not_open_over_the_one_chosen_since() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    seed(&local);
    let mut ws = workspace(&local);
    let id_of = |ws: &Workspace, name: &str| {
        ws.list(Entity::Customer)
            .shown_rows()
            .find(|r| r.title() == name)
            .unwrap()
            .id()
            .to_string()
    };
    let (first, second) = (
        id_of(&ws, "Northwind Traders"),
        id_of(&ws, "Contoso Pharmaceuticals"),
    );
    let open =
        |id: &str| workspace::Message::List(Entity::Customer, list::Message::Open(id.into()));

    let (late, _) = ws.update(open(&first));
    let (soon, _) = ws.update(open(&second));
    for m in outputs(soon).into_iter().chain(outputs(late)) {
        settle(&mut ws, m);
    }
    assert_eq!(
        ws.detail().map(|d| d.record.id.clone()),
        Some(second),
        "the last one asked for"
    );

    let (late, _) = ws.update(open(&first));
    let _ = ws.update(workspace::Message::Section(Entity::Deal));
    for m in outputs(late) {
        settle(&mut ws, m);
    }
    assert!(ws.detail().is_none(), "the deals list stays");
    assert_eq!(ws.section, Entity::Deal);
}

#[test]
fn the_deals_board_totals_each_stage_and_moves_deals_along() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    for (title, amount, stage) in [
        ("ERP rollout", 120_000.0, "proposal"),
        ("Cloud migration", 80_000.5, "proposal"),
        ("Support renewal", 9_999.0, "won"),
    ] {
        local
            .save(
                Entity::Deal,
                None,
                json!({"title": title, "amount": amount, "stage": stage}),
            )
            .unwrap();
    }
    let mut ws = workspace(&local);
    load(&mut ws, &local, Entity::Deal);
    let _ = ws.update(workspace::Message::List(
        Entity::Deal,
        list::Message::Board(true),
    ));
    assert!(view_has(&ws, "¥200,000.50"), "proposal total");
    assert!(view_has(&ws, "¥9,999.00"), "won total");
    assert!(view_has(&ws, "2 deals"));
    let mut sim = ui(ws.view());
    // The first "→" belongs to the biggest proposal (won deals stay put).
    sim.click("→").unwrap();
    for m in sim.into_messages().collect::<Vec<_>>() {
        settle(&mut ws, m);
    }
    assert!(view_has(&ws, "¥80,000.50"), "proposal total after the move");
    let moved = local
        .rows(Entity::Deal)
        .unwrap()
        .into_iter()
        .find(|r| r.title() == "ERP rollout")
        .unwrap();
    assert_eq!(moved.stage, Some(relay_protocol::crm::Stage::Negotiation));
}

async fn online(url: &str, login: &str, home: &Path) -> (LocalData, Session) {
    let api = Api::new(url).unwrap();
    let LoginResponse::Session(pair) = api.login(login, PASSWORD, "test").await.unwrap() else {
        panic!("no two-step sign-in here")
    };
    let files = relay_core::store::AccountFiles::new(home, url, login);
    let local = match LocalData::unlock(&files, PASSWORD, true, None, FAST).unwrap() {
        Unlock::Opened(l) => l,
        Unlock::NeedsPreviousPassword => unreachable!(),
    };
    (local, Session::new(api, &pair))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conflict_dialog_shows_mine_and_theirs_and_keeps_a_merge() {
    let server_dir = tempfile::tempdir().unwrap();
    let accounts: Vec<relay_testkit::Account<'_>> = ["amy", "ben"]
        .into_iter()
        .map(|login| relay_testkit::Account {
            login,
            email: None,
            phone: None,
            display_name: login,
            password: PASSWORD,
        })
        .collect();
    let server = relay_testkit::Server::with_accounts(server_dir.path(), &accounts, |_| {}).await;
    let url = server.url.clone();
    let homes = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (amy, amy_s) = online(&url, "amy", homes.0.path()).await;
    let (ben, ben_s) = online(&url, "ben", homes.1.path()).await;
    let id = amy
        .save(
            Entity::Customer,
            None,
            json!({"name": "Acme", "phone": "010-1234 5678", "industry": "Retail"}),
        )
        .unwrap();
    amy.sync(&amy_s).await.unwrap();
    ben.sync(&ben_s).await.unwrap();
    // Both change it; Ben's reaches the server first.
    ben.save(
        Entity::Customer,
        Some(&id),
        json!({"name": "Acme Ltd", "phone": "010-1234 5678", "industry": "Logistics"}),
    )
    .unwrap();
    ben.sync(&ben_s).await.unwrap();
    amy.save(
        Entity::Customer,
        Some(&id),
        json!({"name": "Acme Group", "phone": "010-8888 0000", "industry": "Retail"}),
    )
    .unwrap();
    let report = amy.sync(&amy_s).await.unwrap();
    assert_eq!(report.conflicts, 1);

    let lang = speak(Language::English);
    let (mut ws, _) = Workspace::new(amy.clone(), amy_s.clone(), None, false);
    settle(&mut ws, workspace::Message::ShowConflicts);
    assert!(ws.dialog_open());
    assert!(view_has(&ws, "Changed in two places"));
    for value in [
        "Acme Group",
        "Acme Ltd",
        "010-8888 0000",
        "Retail",
        "Logistics",
    ] {
        assert!(view_has(&ws, value), "{value} is shown");
    }
    // Their name, my phone, their industry.
    let mut sim = ui(ws.view());
    sim.click("Acme Ltd").unwrap();
    sim.click("Logistics").unwrap();
    sim.click("Keep my choices").unwrap();
    for m in sim.into_messages().collect::<Vec<_>>() {
        settle(&mut ws, m);
    }
    assert!(!ws.dialog_open());
    let kept = amy.get(&id).unwrap().unwrap().data;
    assert_eq!(kept["name"], "Acme Ltd");
    assert_eq!(kept["phone"], "010-8888 0000");
    assert_eq!(kept["industry"], "Logistics");
    assert!(amy.conflicts().unwrap().is_empty());
    drop(lang);

    // The merge goes to the server and on to Ben.
    amy.sync(&amy_s).await.unwrap();
    ben.sync(&ben_s).await.unwrap();
    assert_eq!(ben.get(&id).unwrap().unwrap().data, kept);
}

fn member(n: u128, name: &str, active: bool) -> relay_protocol::api::OrgMember {
    relay_protocol::api::OrgMember {
        id: uuid::Uuid::from_u128(n),
        display_name: name.into(),
        login: format!("m{n}"),
        avatar_version: None,
        active,
    }
}

/// Owners: the list filters by anyone / me / a person, a disabled owner
/// shows greyed with "Reassign…", the form's owner picker searches the
/// members, and reassigning all of a person's records is one local edit
/// per record (each queued for the server).
#[test]
fn owners_filter_show_pick_and_reassign() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    let me = alice().id.to_string();
    let gone = member(7, "Zhou Jie", false);
    let colleague = member(8, "王丽", true);
    let gone_id = gone.id.to_string();
    let colleague_id = colleague.id.to_string();
    for (i, owner) in [&me, &gone_id, &gone_id, &colleague_id].iter().enumerate() {
        local
            .save(
                Entity::Customer,
                None,
                json!({"name": format!("Owned {i}"), "owner_id": owner}),
            )
            .unwrap();
    }
    let deal = local
        .save(
            Entity::Deal,
            None,
            json!({"title": "Big deal", "amount": 5, "currency": "CNY", "stage": "lead", "owner_id": gone_id}),
        )
        .unwrap();
    let mut ws = workspace(&local);
    let _ = ws.update(workspace::Message::MembersLoaded(Ok(vec![
        member(alice().id.as_u128(), "Alice Wang", true),
        gone.clone(),
        colleague.clone(),
    ])));
    let pick = |ws: &mut Workspace, label: &str| {
        let choice = crate::screen::workspace::owners::choices(
            &[gone.clone(), colleague.clone()],
            Some(&me),
        )
        .into_iter()
        .find(|c| c.label == label)
        .unwrap();
        let _ = ws.update(workspace::Message::List(
            Entity::Customer,
            list::Message::Owner(choice),
        ));
    };
    pick(&mut ws, "Zhou Jie (disabled)");
    assert!(view_has(&ws, "Owned 1") && view_has(&ws, "Owned 2"));
    assert!(!view_has(&ws, "Owned 0") && !view_has(&ws, "Owned 3"));
    pick(&mut ws, "Me");
    assert!(view_has(&ws, "Owned 0") && !view_has(&ws, "Owned 1"));
    pick(&mut ws, "Anyone");
    assert!(view_has(&ws, "Owned 3"));
    // The detail of a record of the disabled owner: greyed name, Reassign….
    let owned: Vec<_> = local
        .rows(Entity::Customer)
        .unwrap()
        .into_iter()
        .filter(|r| r.owner_id().as_deref() == Some(gone_id.as_str()))
        .collect();
    settle(
        &mut ws,
        workspace::Message::List(
            Entity::Customer,
            list::Message::Open(owned[0].id().to_string()),
        ),
    );
    assert!(view_has(&ws, "Zhou Jie (disabled)"));
    assert!(view_has(&ws, "Reassign…"));
    // Reassign… opens the form; its owner picker finds 王丽 by name.
    let _ = ws.update(workspace::Message::Detail(
        crate::screen::workspace::detail::Message::Edit,
    ));
    let _ = ws.update(workspace::Message::Form(form::Message::OwnerQuery(
        "王".into(),
    )));
    assert!(view_has(&ws, "王丽 (m8)"));
    let _ = ws.update(workspace::Message::Form(form::Message::PickOwner(
        colleague_id.clone(),
    )));
    settle(&mut ws, workspace::Message::Form(form::Message::Save));
    assert_eq!(
        local.get(&owned[0].id()).unwrap().unwrap().data["owner_id"],
        colleague_id.as_str()
    );
    // The rest of the disabled person's records, in one action.
    let pending = local.status().unwrap().pending;
    assert_eq!(
        ws.reassign_all(&gone_id, &me).unwrap(),
        2,
        "a customer and a deal"
    );
    assert_eq!(
        local.status().unwrap().pending,
        pending + 2,
        "one mutation each"
    );
    assert_eq!(
        local.get(&deal).unwrap().unwrap().data["owner_id"],
        me.as_str()
    );
    assert_eq!(ws.reassign_all(&gone_id, &me).unwrap(), 0);
}

#[test]
fn export_offers_the_list_as_filtered_and_import_reads_a_typed_path() {
    let _lang = speak(Language::English);
    let dir = tempfile::tempdir().unwrap();
    let local = local_in(dir.path());
    for name in ["Northwind Trading", "Northwind Foods", "Contoso Ltd"] {
        local
            .save(Entity::Customer, None, json!({ "name": name }))
            .unwrap();
    }
    let mut ws = workspace(&local);
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::Query("northwind".into()),
    ));
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::Export,
    ));
    assert!(ws.dialog_open());
    assert_eq!(
        ws.list(Entity::Customer).shown(),
        2,
        "the search filters the list"
    );
    assert!(view_has(&ws, "Export to file…"), "the export dialog");
    // Escape closes it; nothing was written.
    let escape = ws.on_escape().expect("Escape closes the export");
    let _ = ws.update(escape);
    assert!(!ws.dialog_open());

    // Import without a file dialog: the path entry; a broken file is
    // refused with its line, and nothing is imported.
    let _ = ws.update(workspace::Message::List(
        Entity::Customer,
        list::Message::Import,
    ));
    let _ = ws.update(workspace::Message::Import(
        crate::screen::workspace::import_dialog::Message::Picked(None, std::time::Duration::ZERO),
    ));
    assert!(view_has(&ws, "Open"), "the path entry");
    assert_eq!(local.count(Entity::Customer).unwrap(), 3);
}

/// A deal's list row, named and valued so that sorts have ties.
fn deal_row(i: usize, version: usize) -> Row {
    let stages = ["lead", "qualified", "proposal", "negotiation", "won"];
    Row::from_record(
        Entity::Deal,
        &format!("00000000-0000-4000-8000-{i:012}"),
        &json!({
            "title": if (i + version).is_multiple_of(4) { format!("Deal {}", i % 7) } else { format!("交易 {}", (i * 31 + version) % 50) },
            "amount": ((i * 7 + version) % 13) as f64 * 1000.0,
            "stage": stages[(i + version) % stages.len()],
            "currency": "CNY",
        }),
        Some(format!("Customer {}", (i + version) % 9)),
    )
    .unwrap()
}

/// Edits, new rows and deletions put in place one by one leave a list
/// showing what a list loaded afresh with the same rows shows, in every
/// sort, either way round, with a query typed.
#[test]
fn a_list_kept_up_row_by_row_matches_one_loaded_afresh() {
    let ids = |list: &list::RecordList| -> Vec<String> {
        list.shown_rows().map(|r| r.id().to_string()).collect()
    };
    let keys = [
        list::SortKey::Title,
        list::SortKey::Context,
        list::SortKey::Stage,
        list::SortKey::Amount,
    ];
    for key in keys {
        for flip in [false, true] {
            let mut rows: Vec<Row> = (0..60).map(|i| deal_row(i, 0)).collect();
            let mut kept = list::RecordList::new(Entity::Deal, None);
            kept.set_rows(rows.clone());
            let setup = |list: &mut list::RecordList| {
                let _ = list.update(list::Message::Sort(key));
                if flip {
                    let _ = list.update(list::Message::Sort(key));
                }
                let _ = list.update(list::Message::Query("交易".into()));
            };
            setup(&mut kept);
            for step in 0..90usize {
                match step % 3 {
                    0 => {
                        let i = (step * 7) % rows.len();
                        let id: usize = rows[i].id()[24..].parse().unwrap();
                        rows[i] = deal_row(id, step + 1);
                        kept.upsert_row(rows[i].clone());
                    }
                    1 => {
                        rows.push(deal_row(100 + step, step));
                        kept.upsert_row(rows.last().unwrap().clone());
                    }
                    _ => {
                        let i = (step * 13) % rows.len();
                        let gone = rows.remove(i);
                        kept.remove_row(&gone.id());
                    }
                }
                let mut fresh = list::RecordList::new(Entity::Deal, None);
                fresh.set_rows(rows.clone());
                setup(&mut fresh);
                assert_eq!(
                    ids(&kept),
                    ids(&fresh),
                    "{key:?}, flipped {flip}, step {step}"
                );
                assert!(kept.shown() > 0);
            }
        }
    }
}
