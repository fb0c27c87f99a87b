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
        routes::sync::pull, routes::change_stream::changes, routes::sync::push, routes::sync::record,
        routes::profile::update, routes::contact_change::start, routes::contact_change::resend,
        routes::contact_change::confirm, routes::contact_change::remove,
        routes::avatar::put, routes::avatar::delete, routes::avatar::get,
        routes::org::members, routes::org::password_policy, routes::org::set_password_policy,
        routes::admin::list, routes::admin::invite, routes::admin::resend_invitation,
        routes::admin::disable, routes::admin::enable, routes::admin::require_password_change,
        routes::admin::unlock, routes::admin::sign_out, routes::admin::reset_mfa, routes::admin::set_role,
        routes::admin::audit, routes::invitation::accept,
    ),
    components(schemas(relay_protocol::ErrorBody, relay_protocol::ErrorDetail, relay_protocol::ErrorCode,
        relay_protocol::Violation, relay_protocol::crm::Customer, relay_protocol::crm::Contact,
        relay_protocol::crm::Deal, relay_protocol::crm::Activity)),
    modifiers(&Bearer, &CommonErrors)
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

/// The error answers every operation can give, declared once here instead
/// of on every handler: 400 for a malformed body or query, 401 for a
/// missing or dead token where one is needed, 404 for an unknown id in the
/// path, 413 for an oversized body, 429 for the per-address and per-user
/// limits. (schemathesis checks that no answer is undocumented.)
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        Content::new(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody")))),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for op in operations.into_iter().flatten() {
                if path == "/healthz" || path == "/readyz" || path.ends_with("openapi.json") {
                    continue;
                }
                let responses = &mut op.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description));
                };
                add("400", "bad_request: the body or a parameter is malformed");
                add("429", "rate_limited: too many requests; see retry_after");
                if op.request_body.is_some() {
                    add("413", "payload_too_large");
                }
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add(
                        "401",
                        "unauthorized: missing, unknown, expired or revoked token",
                    );
                    add("403", "password_change_required or forbidden");
                }
                if path.contains('{') {
                    add("404", "not_found");
                }
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // utoipa 5 emits 3.1.0 already; say so explicitly for readers.
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc
}
