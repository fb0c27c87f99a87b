//! A local store made by release 0.1 (`tests/fixtures/release-0.1-store/`:
//! made by that release's `relay-sync` against its demo server, see
//! `scripts/make-upgrade-fixtures.sh`) opens with the 0.1 password,
//! upgrades in place to the current schema, and keeps every record.

use std::path::PathBuf;

use relay_core::store::{AccountFiles, STORE_VERSION, Store};
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;

#[test]
fn a_release_0_1_store_upgrades_in_place() {
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0.1-store");
    let dir = tempfile::tempdir().unwrap();
    let files = AccountFiles {
        database: dir.path().join("crm.db"),
        key: dir.path().join("store-key.json"),
    };
    std::fs::copy(fixture.join("crm.db"), &files.database).unwrap();
    std::fs::copy(fixture.join("store-key.json"), &files.key).unwrap();
    let before = std::fs::read(&files.database).unwrap();
    assert!(
        !before.windows(5).any(|w| w == b"Relay"),
        "the fixture is encrypted"
    );
    for _ in 0..2 {
        let store =
            Store::unlock(&files, relay_testkit::DEMO_PASSWORD, KdfParams::default()).unwrap();
        assert_eq!(store.version().unwrap(), STORE_VERSION);
        assert_eq!(store.count(Entity::Customer).unwrap(), 5);
        let all: i64 = [
            Entity::Customer,
            Entity::Contact,
            Entity::Deal,
            Entity::Activity,
        ]
        .into_iter()
        .map(|e| store.count(e).unwrap())
        .sum();
        assert_eq!(all, 28);
        // Search still finds a customer by a piece of its name.
        let id = store.ids(Entity::Customer).unwrap().remove(0);
        let name = store.get(&id).unwrap().unwrap().data["name"]
            .as_str()
            .unwrap()
            .to_string();
        let piece: String = name.chars().take(3).collect();
        assert!(
            !store
                .search(Entity::Customer, &piece, 50)
                .unwrap()
                .is_empty()
        );
    }
    assert!(Store::unlock(&files, "wrong password", KdfParams::default()).is_err());
}
