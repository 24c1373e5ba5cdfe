//! All Campaigns: a self-hostable control center for cold-email operators and agencies.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod egress;
pub mod error;
pub mod http;
pub mod inbox;
pub mod install_admins;
pub mod jobs;
pub mod keys;
pub mod leads;
pub mod live;
pub mod mail;
pub mod notifications;
pub mod observability;
pub mod private_fs;
pub mod services;
pub mod store;
pub mod sync;
pub mod tenants;
pub mod text;
