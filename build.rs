// sqlx::migrate! embeds the migrations folder at compile time: rebuild when it changes
// (a new migration file alone would otherwise not be noticed).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
