//! The machine-readable API description, generated from the handlers'
//! annotations and the protocol types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Relay CRM API", version = "1", description = "See docs/API.md for the rules behind each call."),
    paths(
        routes::healthz, routes::readyz, routes::openapi, routes::password_policy, routes::set_password_policy,
        routes::auth::login, routes::auth::mfa, routes::auth::refresh, routes::auth::logout,
        routes::password_reset::start, routes::password_reset::resend, routes::password_reset::verify,
        routes::password_reset::complete,
        routes::me::me, routes::me::sessions, routes::me::revoke_session, routes::me::revoke_others,
        routes::me::security_events, routes::me::mfa_status, routes::me::totp_setup, routes::me::totp_enable, routes::me::mfa_disable,
        routes::me::regenerate_recovery_codes,
        routes::password_change::start, routes::password_change::resend, routes::password_change::confirm,
        routes::sync::pull, routes::sync::push, routes::sync::record,
    ),
    components(schemas(relay_protocol::ErrorBody, relay_protocol::ErrorDetail, relay_protocol::ErrorCode,
        relay_protocol::Violation, relay_protocol::crm::Customer, relay_protocol::crm::Contact,
        relay_protocol::crm::Deal, relay_protocol::crm::Activity)),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // utoipa 5 emits 3.1.0 already; say so explicitly for readers.
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc
}
