//! The one route table: every address of the app and its handler. `startup` mounts it.

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::web::routes::{self, admin};
use crate::web::{api, extract};

/// Every route of the app.
pub fn route_table(app: &mut web::ServiceConfig) {
    use routes::{
        api_files, api_links, assets, guest, guest_confirm, links, login, my_files, presign,
        tokens, upload_page,
    };
    // The API first: actix tries routes in this order, and each route with a `{…}`
    // part costs a regex match, so the busiest calls should not wait behind them.
    app.service(
        web::scope("/api")
            .app_data(api::JsonErrors)
            .route("/presign", web::post().to(presign::presign))
            .route("/presign-put", web::post().to(presign::presign_put))
            .route("/uploads", web::get().to(api_files::list))
            .route("/uploads", web::delete().to(api_files::delete))
            .route("/uploads/download", web::get().to(api_files::download))
            .route("/uploads/confirm", web::post().to(api_files::confirm))
            .route("/links", web::post().to(api_links::create))
            .route("/links", web::get().to(api_links::list))
            .route("/links/{id}", web::delete().to(api_links::delete))
            .route(
                "/openapi.json",
                web::get().to(crate::web::openapi::openapi_json),
            )
            .default_service(web::to(api::not_found)),
    )
    .route("/healthz", web::get().to(routes::health))
    .route("/metrics", web::get().to(crate::web::metrics::endpoint))
    .route("/", web::get().to(routes::home))
    .route("/upload", web::get().to(upload_page::page))
    .route("/upload/one", web::get().to(upload_page::one))
    .route("/uploads", web::get().to(my_files::page))
    .route("/uploads/download", web::get().to(my_files::download))
    .route("/uploads/delete", web::post().to(my_files::delete))
    .route("/account/tokens", web::get().to(tokens::page))
    .route("/account/tokens", web::post().to(tokens::create))
    .route(
        "/account/tokens/{id}/revoke",
        web::post().to(tokens::revoke),
    )
    .route("/login", web::get().to(login::page))
    .route("/login", web::post().to(login::submit))
    .route("/logout", web::post().to(login::logout))
    .route("/static/{name}", web::get().to(assets::asset))
    .route("/links", web::get().to(links::page))
    .route("/links", web::post().to(links::create))
    .route("/links/{id}", web::get().to(links::show_one))
    .route("/links/{id}/revoke", web::post().to(links::revoke))
    .route("/u/{token}", web::get().to(guest::page))
    .route("/u/{token}", web::post().to(guest::unlock))
    .service(
        web::resource("/u/{token}/presign")
            .app_data(api::JsonErrors)
            .route(web::post().to(guest::presign)),
    )
    .service(
        web::resource("/u/{token}/confirm")
            .app_data(api::JsonErrors)
            .route(web::post().to(guest_confirm::confirm)),
    )
    .service(
        web::scope("/admin")
            .wrap(from_fn(extract::admin_only))
            .route("", web::get().to(admin::home))
            .route("/", web::get().to(admin::home))
            .route("/users", web::get().to(admin::users::list))
            .route("/users", web::post().to(admin::users::create))
            .route("/users/{name}", web::get().to(admin::user::edit))
            .route("/users/{name}", web::post().to(admin::user::update))
            .route("/audit", web::get().to(admin::audit::page))
            .route("/system", web::get().to(admin::system::page))
            .route("/system", web::post().to(admin::system::run))
            .default_service(web::to(routes::not_found)),
    )
    .default_service(web::to(routes::not_found));
}
