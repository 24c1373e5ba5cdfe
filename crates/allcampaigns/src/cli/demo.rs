//! `allcampaigns demo` and `allcampaigns instantly-sim`: each brings its own configuration.

use std::process::ExitCode;

use crate::demo::DemoOptions;

/// The simulator needs none of the product's configuration.
pub fn simulator(listen: Option<String>, options: instantly_sim::cli::SimOptions) -> ExitCode {
    let listen = listen.as_deref().unwrap_or("127.0.0.1:7070");
    let Ok(listen) = listen.parse() else {
        eprintln!("allcampaigns: --listen: `{listen}` is not an address like 127.0.0.1:7070");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("cannot start the async runtime");
    match runtime.block_on(instantly_sim::cli::serve_until_ctrl_c(listen, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allcampaigns: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The demo brings its own simulator and configuration.
pub fn demo(options: DemoOptions) -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("cannot start the async runtime");
    match runtime.block_on(crate::demo::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allcampaigns: {error:#}");
            ExitCode::FAILURE
        }
    }
}
