//! The local data as the app opens it: offline sign-in with the right
//! password only, a reset done elsewhere recovered from the keyring's copy
//! of the key or from the previous password, data set aside (never dropped)
//! when neither is there and brought back later; edits validated with the
//! shared rules, delete and undo.

use relay_core::local::{LocalData, SaveError, Unlock};
use relay_core::store::{AccountFiles, StoreError};
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;
use serde_json::json;

const FAST: KdfParams = relay_testkit::FAST_KDF;
const OLD: &str = relay_testkit::DEMO_PASSWORD;
const NEW: &str = relay_testkit::NEW_PASSWORD;

fn opened(u: Unlock) -> LocalData {
    match u {
        Unlock::Opened(l) => l,
        Unlock::NeedsPreviousPassword => panic!("expected the data to open"),
    }
}

fn setup() -> (tempfile::TempDir, AccountFiles) {
    let dir = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(dir.path(), "https://crm.example.com", "alice");
    (dir, files)
}

#[test]
fn offline_sign_in_takes_the_right_password_only() {
    let (_dir, files) = setup();
    assert!(!LocalData::exists(&files));
    let local = opened(LocalData::unlock(&files, OLD, true, None, FAST).unwrap());
    let id = local
        .save(Entity::Customer, None, json!({"name": "深圳云帆科技"}))
        .unwrap();
    drop(local);
    assert!(LocalData::exists(&files));
    // Offline a wrong password is wrong, keyring copy or not.
    let key = {
        let l = opened(LocalData::unlock(&files, OLD, false, None, FAST).unwrap());
        l.key().clone()
    };
    assert_eq!(
        LocalData::unlock(&files, NEW, false, Some(key), FAST).err(),
        Some(StoreError::WrongPassword)
    );
    let local = opened(LocalData::unlock(&files, OLD, false, None, FAST).unwrap());
    assert_eq!(local.rows(Entity::Customer).unwrap()[0].id(), id);
}

#[test]
fn a_reset_elsewhere_rewraps_from_the_keyring_copy() {
    let (_dir, files) = setup();
    let local = opened(LocalData::unlock(&files, OLD, true, None, FAST).unwrap());
    local
        .save(Entity::Customer, None, json!({"name": "Northwind"}))
        .unwrap();
    let key = local.key().clone();
    drop(local);
    // The server accepted NEW; the key file still wants OLD.
    let local = opened(LocalData::unlock(&files, NEW, true, Some(key), FAST).unwrap());
    assert_eq!(local.rows(Entity::Customer).unwrap().len(), 1);
    drop(local);
    // Re-wrapped: NEW now opens it offline, OLD no longer does.
    opened(LocalData::unlock(&files, NEW, false, None, FAST).unwrap());
    assert_eq!(
        LocalData::unlock(&files, OLD, false, None, FAST).err(),
        Some(StoreError::WrongPassword)
    );
}

#[test]
fn a_reset_elsewhere_asks_for_the_previous_password_once() {
    let (_dir, files) = setup();
    let local = opened(LocalData::unlock(&files, OLD, true, None, FAST).unwrap());
    local
        .save(Entity::Customer, None, json!({"name": "Contoso"}))
        .unwrap();
    drop(local);
    assert!(matches!(
        LocalData::unlock(&files, NEW, true, None, FAST).unwrap(),
        Unlock::NeedsPreviousPassword
    ));
    // A keyring copy that is not this store's key is not trusted.
    let stranger = relay_core::vault::DataKey::generate();
    assert!(matches!(
        LocalData::unlock(&files, NEW, true, Some(stranger), FAST).unwrap(),
        Unlock::NeedsPreviousPassword
    ));
    assert_eq!(
        LocalData::unlock_with_previous(&files, "not-it", NEW, FAST).err(),
        Some(StoreError::WrongPassword)
    );
    let local = LocalData::unlock_with_previous(&files, OLD, NEW, FAST).unwrap();
    assert_eq!(
        local.status().unwrap().pending,
        1,
        "the unsynced edit stays"
    );
    drop(local);
    opened(LocalData::unlock(&files, NEW, false, None, FAST).unwrap());
}

#[test]
fn data_set_aside_comes_back_with_the_previous_password() {
    let (_dir, files) = setup();
    let local = opened(LocalData::unlock(&files, OLD, true, None, FAST).unwrap());
    let kept = local
        .save(
            Entity::Deal,
            None,
            json!({"title": "ERP rollout", "amount": 120000}),
        )
        .unwrap();
    drop(local);
    let folder = LocalData::set_aside(&files).unwrap();
    assert!(folder.join("crm.db").exists());
    let local = opened(LocalData::unlock(&files, NEW, true, None, FAST).unwrap());
    assert_eq!(local.rows(Entity::Deal).unwrap().len(), 0);
    assert_eq!(local.set_aside_folders(), vec![folder.clone()]);
    assert_eq!(
        local.recover(&folder, NEW).err(),
        Some(StoreError::WrongPassword)
    );
    assert!(folder.exists(), "a failed recovery keeps the folder");
    assert_eq!(local.recover(&folder, OLD).unwrap(), 1);
    assert!(!folder.exists());
    let rows = local.rows(Entity::Deal).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id(), kept);
    assert_eq!(local.status().unwrap().pending, 1);
}

#[test]
fn edits_are_validated_and_a_delete_can_be_undone() {
    let (_dir, files) = setup();
    let local = opened(LocalData::unlock(&files, OLD, true, None, FAST).unwrap());
    match local.save(
        Entity::Customer,
        None,
        json!({"name": " ", "email": "nope", "phone": "12"}),
    ) {
        Err(SaveError::Invalid(fields)) => {
            assert_eq!(fields["name"], "required");
            assert_eq!(fields["email"], "invalid_email");
            assert_eq!(fields["phone"], "invalid_phone");
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert_eq!(local.status().unwrap().pending, 0, "nothing was queued");
    let customer = local
        .save(Entity::Customer, None, json!({"name": "华为技术"}))
        .unwrap();
    let deal = local
        .save(
            Entity::Deal,
            None,
            json!({"title": "云服务", "customer_id": customer, "amount": 5000, "stage": "won"}),
        )
        .unwrap();
    // A won deal stays won.
    match local.save(
        Entity::Deal,
        Some(&deal),
        json!({"title": "云服务", "customer_id": customer, "amount": 5000, "stage": "lead"}),
    ) {
        Err(SaveError::Invalid(fields)) => assert_eq!(fields["stage"], "invalid_stage_change"),
        other => panic!("expected a stage error, got {other:?}"),
    }
    let related = local.related(&customer).unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0].context(), "华为技术");

    let before = local.delete(&customer).unwrap().expect("it existed");
    assert!(local.rows(Entity::Customer).unwrap().is_empty());
    assert!(local.delete(&customer).unwrap().is_none(), "deleted once");
    local.restore(&before).unwrap();
    let rows = local.rows(Entity::Customer).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].title(), "华为技术");
    assert_eq!(local.status().unwrap().pending, 4);
}
