//! TimeTagger: the server reads the raw token from the `authtoken` header. `Authorization: Bearer`
//! is an option for deployments behind a proxy that rewrites it.

use super::{Auth, Plan, Reader};
use crate::Result;

pub(crate) fn plan(r: &mut Reader) -> Result<Plan> {
    let mode = r.choice("mode", &["authtoken", "bearer"])?;
    let token = r.header_secret("token")?;
    Ok(Plan::Static(match mode {
        "bearer" => Auth::header("Authorization", format!("Bearer {token}")),
        _ => Auth::header("authtoken", token),
    }))
}
