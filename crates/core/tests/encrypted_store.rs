//! The local encrypted store: unreadable without the key (no customer name
//! findable in the file), offline sign-in with the right password only, a
//! password change re-wraps the key, and search finds Chinese and Latin
//! text.

use relay_core::store::{AccountFiles, Record, Store, StoreError};
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;
use relay_testkit::{NEW_PASSWORD, PASSWORD};
use serde_json::json;

const FAST: KdfParams = relay_testkit::FAST_KDF;

fn customer(id: &str, name: &str, phone: &str) -> Record {
    Record {
        entity: Entity::Customer,
        id: id.into(),
        version: 1,
        deleted: false,
        data: json!({"name": name, "phone": phone, "email": format!("{id}@example.com")}),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_file_reveals_nothing_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(dir.path(), "https://crm.example.com", "alice");
    {
        let mut store = Store::unlock(&files, PASSWORD, FAST).unwrap();
        store
            .put(&customer(
                "c1",
                "Zyxwvut Confidential Trading",
                "+86 138 0013 8000",
            ))
            .unwrap();
        store
            .put(&customer("c2", "上海申通物流有限公司", "021-6210 0000"))
            .unwrap();
    }
    let mut bytes = std::fs::read(&files.database).unwrap();
    // The write-ahead log holds recent pages too.
    if let Ok(wal) = std::fs::read(files.database.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    assert!(bytes.len() > 4096);
    assert!(
        !contains(&bytes, b"Zyxwvut"),
        "a name is readable in the file"
    );
    assert!(!contains(&bytes, "申通物流".as_bytes()));
    assert!(
        !contains(&bytes, b"SQLite format 3"),
        "not even the SQLite header"
    );
    let key_file = std::fs::read_to_string(&files.key).unwrap();
    assert!(!key_file.contains("Zyxwvut") && !key_file.contains("Tq7#"));
}

#[test]
fn offline_sign_in_needs_the_right_password_and_a_change_rewraps() {
    let dir = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(dir.path(), "https://crm.example.com", "alice");
    Store::unlock(&files, PASSWORD, FAST)
        .unwrap()
        .put(&customer("c1", "Acme", "12345678"))
        .unwrap();
    assert_eq!(
        Store::unlock(&files, "wrong", FAST).err(),
        Some(StoreError::WrongPassword)
    );
    let store = Store::unlock(&files, PASSWORD, FAST).unwrap();
    assert_eq!(store.get("c1").unwrap().unwrap().data["name"], "Acme");
    drop(store);
    Store::rewrap(&files, PASSWORD, NEW_PASSWORD, FAST).unwrap();
    assert_eq!(
        Store::unlock(&files, PASSWORD, FAST).err(),
        Some(StoreError::WrongPassword)
    );
    let store = Store::unlock(&files, NEW_PASSWORD, FAST).unwrap();
    assert_eq!(
        store.get("c1").unwrap().unwrap().data["name"],
        "Acme",
        "data survives the re-wrap"
    );
    // A wrong key (another account's file) opens nothing.
    let other = AccountFiles::new(dir.path(), "https://crm.example.com", "bob");
    drop(Store::unlock(&other, "Bob-Pass-123!x", FAST).unwrap());
    std::fs::copy(&files.database, &other.database).unwrap();
    let _ = std::fs::remove_file(other.database.with_extension("db-wal"));
    assert_eq!(
        Store::unlock(&other, "Bob-Pass-123!x", FAST).err(),
        Some(StoreError::NotOpenable)
    );
}

#[test]
fn search_finds_chinese_latin_and_phone_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(dir.path(), "https://crm.example.com", "alice");
    let mut store = Store::unlock(&files, PASSWORD, FAST).unwrap();
    store
        .put(&customer("c1", "上海申通物流有限公司", "+86 138 0013 8000"))
        .unwrap();
    store
        .put(&customer("c2", "Northwind Trading Ltd", "+44 20 7946 0958"))
        .unwrap();
    store
        .put(&customer("c3", "深圳华信科技", "0755-8888 1234"))
        .unwrap();
    fn ids_in(store: &Store, q: &str) -> Vec<String> {
        let mut v: Vec<String> = store
            .search(Entity::Customer, q, 50)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        v.sort();
        v
    }
    let ids = |q: &str| ids_in(&store, q);
    assert_eq!(ids("申通物流"), ["c1"]);
    assert_eq!(ids("申通"), ["c1"], "two characters: LIKE fallback");
    assert_eq!(ids("华"), ["c3"], "one character");
    assert_eq!(ids("northwind"), ["c2"], "case-insensitive");
    assert_eq!(ids("13800138000"), ["c1"], "digits without separators");
    assert_eq!(ids("c2@example"), ["c2"], "email");
    assert!(ids("nothing-like-this").is_empty());
    // Deleting removes it from search.
    let mut gone = customer("c1", "上海申通物流有限公司", "1");
    gone.deleted = true;
    gone.version = 2;
    store.put(&gone).unwrap();
    assert!(ids_in(&store, "申通物流").is_empty());
    assert_eq!(store.count(Entity::Customer).unwrap(), 2);
}
