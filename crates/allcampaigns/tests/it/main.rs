//! The integration suite: one binary, the real app and real databases.

mod helpers;

mod account;
mod api;
mod audit_trail;
mod browser;
mod catalogue_rls;
mod catalogue_signin;
mod catalogue_support;
mod catalogue_sync;
mod cli;
mod connection;
mod demo;
mod durability;
mod fuzz_api;
mod fuzz_smoke;
mod http;
mod keys;
mod members;
mod page_roles;
mod rls;
mod signin;
mod smtp;
mod storage;
mod sync;
mod sync_fairness;
mod tenants;
