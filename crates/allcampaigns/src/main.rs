use std::process::ExitCode;

fn main() -> ExitCode {
    allcampaigns::cli::run::main()
}
