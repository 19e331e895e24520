//! What every room shares and that uses no room: errors, sessions and the route guard, the
//! page shell, downloads, compression, the server's accept loop.

pub mod auth;
pub mod community;
pub mod compress;
pub mod conflicts;
pub mod download;
pub mod error;
pub mod form;
pub mod heavy;
pub mod layout;
pub mod login_guard;
pub mod origin;
pub mod routes;
pub mod server;
pub mod tls;
pub mod upload;
