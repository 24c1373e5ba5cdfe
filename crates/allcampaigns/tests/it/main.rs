//! The integration suite: one binary, the real app and real databases.

mod helpers;

mod account;
mod api;
mod browser;
mod cli;
mod connection;
mod data_files;
mod demo;
mod http;
mod install_admins;
mod instantly_link;
mod invitations;
mod keys;
mod member_rules;
mod members;
mod metrics;
mod owner_role;
mod page_roles;
mod proxy;
mod rls;
mod shutdown;
mod signin;
mod slow_clients;
mod smtp;
mod storage;
mod sync;
mod sync_fairness;
mod tenants;
mod token_hygiene;
mod tokens;
