//! Two devices of two people in one organisation against one real server
//! (in-process, port 0, SQLite): both work offline on the same and on
//! different records, come back, and end up with the same data; every edit
//! arrives once, and the clash surfaces as a conflict on the right side.

use relay_core::store::{AccountFiles, Store};
use relay_core::sync::{PullBy, sync, sync_shared_by};
use relay_core::vault::KdfParams;
use relay_core::{Api, Session};
use relay_protocol::api::{LoginResponse, TokenPair};
use relay_protocol::crm::Entity;
use relay_testkit::{Account, PASSWORD, Server};
use serde_json::json;

const FAST: KdfParams = relay_testkit::FAST_KDF;

/// Ben's device pulls as from a server without the change stream: both
/// ways of pulling must converge on the same records.
async fn sync_by_pages(
    store: &mut Store,
    session: &Session,
) -> Result<relay_core::sync::SyncReport, relay_core::sync::SyncError> {
    sync_shared_by(&std::sync::Mutex::new(store), session, PullBy::Pages).await
}

async fn server() -> (
    String,
    tempfile::TempDir,
    relay_server::state::AppState,
    Server,
) {
    let dir = tempfile::tempdir().unwrap();
    let people: Vec<Account> = ["amy", "ben"]
        .into_iter()
        .map(|login| Account {
            login,
            email: None,
            phone: None,
            display_name: login,
            password: PASSWORD,
        })
        .collect();
    let server = Server::with_accounts(dir.path(), &people, |_| {}).await;
    (server.url.clone(), dir, server.state.clone(), server)
}

async fn device(url: &str, login: &str, home: &std::path::Path) -> (Session, Store) {
    let api = Api::new(url).unwrap();
    let LoginResponse::Session(pair) = api.login(login, PASSWORD, "test").await.unwrap() else {
        panic!("no MFA here")
    };
    let files = AccountFiles::new(home, url, login);
    (
        Session::new(api, &pair),
        Store::unlock(&files, PASSWORD, FAST).unwrap(),
    )
}

fn name(store: &Store, id: &str) -> Option<String> {
    store
        .get(id)
        .unwrap()
        .and_then(|r| r.data["name"].as_str().map(str::to_owned))
}

async fn server_version(state: &relay_server::state::AppState, id: &str) -> i64 {
    let (v,): (i64,) = sqlx::query_as("SELECT version FROM records WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_on_two_devices_converge_with_the_clash_as_a_conflict() {
    let (url, _dir, state, _server) = server().await;
    let homes = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (amy_s, mut amy) = device(&url, "amy", homes.0.path()).await;
    let (ben_s, mut ben) = device(&url, "ben", homes.1.path()).await;
    let shared = uuid::Uuid::new_v4().to_string();
    amy.edit(Entity::Customer, &shared, Some(json!({"name": "Acme"})))
        .unwrap();
    sync(&mut amy, &amy_s).await.unwrap();
    sync_by_pages(&mut ben, &ben_s).await.unwrap();
    assert_eq!(name(&ben, &shared).as_deref(), Some("Acme"));
    // Pulled records are searchable (their index entries are written in
    // one pass after the pull).
    assert_eq!(ben.search(Entity::Customer, "Acme", 10).unwrap().len(), 1);
    assert_eq!(ben.search(Entity::Customer, "Ac", 10).unwrap().len(), 1);

    // Offline on both sides.
    amy.edit(
        Entity::Customer,
        &shared,
        Some(json!({"name": "Acme (Amy)"})),
    )
    .unwrap();
    ben.edit(
        Entity::Customer,
        &shared,
        Some(json!({"name": "Acme (Ben)"})),
    )
    .unwrap();
    let amys = uuid::Uuid::new_v4().to_string();
    amy.edit(Entity::Customer, &amys, Some(json!({"name": "华信科技"})))
        .unwrap();
    amy.edit(
        Entity::Customer,
        &amys,
        Some(json!({"name": "深圳华信科技有限公司"})),
    )
    .unwrap();
    let bens = uuid::Uuid::new_v4().to_string();
    ben.edit(
        Entity::Deal,
        &bens,
        Some(json!({"title": "仓储系统", "amount": 120000, "stage": "lead"})),
    )
    .unwrap();
    assert_eq!(amy.pending().unwrap(), 3);
    assert_eq!(
        name(&amy, &amys).as_deref(),
        Some("深圳华信科技有限公司"),
        "edits show at once"
    );

    // Amy comes back first: all hers applied, the chained pair in order.
    let r = sync(&mut amy, &amy_s).await.unwrap();
    assert_eq!((r.pushed, r.conflicts), (3, 0));
    assert_eq!(
        server_version(&state, &amys).await,
        2,
        "two edits, each once"
    );
    // Ben: his edit of the shared record clashes.
    let r = sync_by_pages(&mut ben, &ben_s).await.unwrap();
    assert_eq!((r.pushed, r.conflicts), (1, 1));
    let conflicts = ben.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].id, shared);
    assert_eq!(conflicts[0].mine.as_ref().unwrap()["name"], "Acme (Ben)");
    assert_eq!(conflicts[0].theirs.data["name"], "Acme (Amy)");
    assert!(
        amy.conflicts().unwrap().is_empty(),
        "the clash is Ben's to settle"
    );
    assert_eq!(
        name(&ben, &shared).as_deref(),
        Some("Acme (Ben)"),
        "nothing overwritten silently"
    );
    assert_eq!(name(&ben, &amys).as_deref(), Some("深圳华信科技有限公司"));

    // Ben merges: keeps his name.
    ben.resolve(&shared, Some(json!({"name": "Acme (Amy & Ben)"})))
        .unwrap();
    sync_by_pages(&mut ben, &ben_s).await.unwrap();
    sync(&mut amy, &amy_s).await.unwrap();
    for id in [&shared, &amys, &bens] {
        let (a, b) = (amy.get(id).unwrap().unwrap(), ben.get(id).unwrap().unwrap());
        assert_eq!(
            (a.version, &a.data),
            (b.version, &b.data),
            "both devices hold the same {id}"
        );
        assert_eq!(a.version, server_version(&state, id).await);
    }
    assert_eq!(name(&amy, &shared).as_deref(), Some("Acme (Amy & Ben)"));
    assert_eq!(
        server_version(&state, &shared).await,
        3,
        "create, Amy's edit, Ben's merge: once each"
    );
    assert_eq!((amy.pending().unwrap(), ben.pending().unwrap()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_made_while_the_server_is_unreachable_wait_and_then_arrive_once() {
    let (url, _dir, state, _server) = server().await;
    let home = tempfile::tempdir().unwrap();
    let (session, mut store) = device(&url, "amy", home.path()).await;
    let id = uuid::Uuid::new_v4().to_string();
    store
        .edit(Entity::Customer, &id, Some(json!({"name": "Offline Co"})))
        .unwrap();
    // Nothing listens on port 9: the network is "down".
    let dead = Session::new(
        Api::new("http://127.0.0.1:9").unwrap(),
        &TokenPair {
            access_token: "x".into(),
            refresh_token: "y".into(),
            expires_in: 900,
            user: session.me().await.unwrap(),
            device_token: None,
        },
    );
    let err = sync(&mut store, &dead).await.unwrap_err();
    assert!(
        matches!(
            err,
            relay_core::sync::SyncError::Api(relay_core::ApiError::Network)
        ),
        "{err:?}"
    );
    assert_eq!(store.pending().unwrap(), 1, "the edit is kept");
    // The app restarts (the store is reopened), the network is back.
    drop(store);
    let files = AccountFiles::new(home.path(), &url, "amy");
    let mut store = Store::unlock(&files, PASSWORD, FAST).unwrap();
    assert_eq!(store.pending().unwrap(), 1);
    sync(&mut store, &session).await.unwrap();
    sync(&mut store, &session).await.unwrap();
    assert_eq!(store.pending().unwrap(), 0);
    assert_eq!(server_version(&state, &id).await, 1);
}
