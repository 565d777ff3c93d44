//! The first admin: made on first start, when the database has no admin at all.

use secrecy::ExposeSecret;

use super::{AccountsError, NewUser, Role, UserStore, generate_password};
use crate::domain::{ByteSize, KeyPrefix, Username};

/// With no admin at all, makes one and prints its password, once, on the console.
pub async fn ensure_first_admin(
    users: &UserStore,
    max_size: ByteSize,
) -> Result<(), AccountsError> {
    if users.has_admin().await? {
        return Ok(());
    }
    let password = generate_password();
    let admin = NewUser {
        name: Username::parse("admin").map_err(anyhow::Error::from)?,
        role: Role::Admin,
        prefix: KeyPrefix::parse("admins/admin/").map_err(anyhow::Error::from)?,
        max_size,
        content_type_prefix: String::new(),
        quota: None,
        password: password.clone(),
    };
    users.create("postbox (first run)", admin).await?;
    // Printed, not logged: logs are kept and shipped, this must be seen once only.
    println!(
        "\npostbox: created the first admin account.\n  name:     admin\n  password: {}\n\
         Sign in and change it; it is not shown again.\n",
        password.expose_secret()
    );
    Ok(())
}
