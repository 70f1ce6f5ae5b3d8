//! TimeTagger (PyPI `timetagger`): the server reads the raw token from the `authtoken` header.
//! `Authorization: Bearer` is an option for deployments behind a proxy that rewrites it (the
//! server itself answers `401 unauthorized: Missing jwt 'authtoken' in header.`). API tokens do
//! not expire; a refused one cannot succeed on a second try. Check: `GET {base}/version`.

use super::{Api, Auth, Check, Mode, Plan, Reader, TOKEN};
use crate::Result;

pub static API: Api = Api {
    id: "timetagger",
    label: "TimeTagger",
    base_url: "http://127.0.0.1:8080/timetagger/api/v2",
    modes: &[
        Mode { id: "authtoken", label: "authtoken header (what the server reads)", fields: &[&TOKEN], exchange: false },
        Mode { id: "bearer", label: "Authorization: Bearer (behind a proxy that rewrites it)", fields: &[&TOKEN], exchange: false },
    ],
    plan,
};

fn plan(r: &mut Reader, mode: &'static Mode) -> Result<Plan> {
    let token = r.secret(&TOKEN)?;
    let auth = match mode.id {
        "bearer" => Auth::bearer(&token),
        _ => Auth::header("authtoken", token),
    };
    Ok(Plan::fixed(auth, Check::Request { method: "GET", path: "/version", reply: super::generic_check }))
}
