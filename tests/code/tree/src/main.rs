// Rust client for the sales copilot.
const MODEL: &str = "anthropic/claude-sonnet-4.5";

fn main() {
    println!("{}", MODEL);
}
