//! What the rooms share.

pub mod clean_data;
pub mod error;
pub mod explain;
pub mod files;
pub mod lookup;
