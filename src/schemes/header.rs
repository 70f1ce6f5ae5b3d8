//! Any API with a static token: a header of any name with an optional prefix, or a query
//! parameter. Check: `GET {base}`.

use super::{Api, Auth, Check, Field, Mode, Placement, Plan, Reader, PLACEMENT, TOKEN};
use crate::secret::{check_header_name, check_header_value, check_no_controls};
use crate::{Code, Error, Result};

static HEADER_NAME: Field = Field::text("headerName", "Header name")
    .default_value("Authorization")
    .placeholder("e.g. X-Api-Key")
    .pattern("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
    .optional()
    .tip("empty: Authorization")
    .when("placement", "header");
static PREFIX: Field = Field::text("prefix", "Prefix").placeholder("e.g. Bearer (with its space)").optional().tip("sent before the token, exactly as typed");
static QUERY_NAME: Field = Field::text("queryName", "Parameter")
    .default_value("api_key")
    .placeholder("e.g. api_key")
    .pattern("^[^\\s&=#?]+$")
    .optional()
    .tip("empty: api_key")
    .when("placement", "query");

pub static API: Api = Api {
    id: "header",
    label: "any header or query token",
    base_url: "https://api.example.com",
    modes: &[Mode { id: "token", label: "a static token", fields: &[&TOKEN, &PLACEMENT, &HEADER_NAME, &QUERY_NAME, &PREFIX], exchange: false }],
    plan,
};

fn plan(r: &mut Reader, _: &'static Mode) -> Result<Plan> {
    let placement = r.placement()?;
    // the prefix is taken exactly as typed: "Bearer " keeps its space
    let prefix = r.raw(&PREFIX).unwrap_or("");
    check_header_value(prefix, "prefix")?;
    let name = match placement {
        Placement::Header => {
            let n = Some(r.text(&HEADER_NAME)?).filter(|n| !n.is_empty()).unwrap_or_else(|| HEADER_NAME.default.into());
            check_header_name(&n, "headerName")?;
            n
        }
        Placement::Query => {
            let n = Some(r.text(&QUERY_NAME)?).filter(|n| !n.is_empty()).unwrap_or_else(|| QUERY_NAME.default.into());
            check_no_controls(&n, "queryName")?;
            if n.contains(['&', '=', '#', '?']) {
                return Err(Error::new("queryName", Code::BadFormat, "must not contain '&', '=', '#' or '?'"));
            }
            n
        }
    };
    let token = r.secret(&TOKEN)?;
    let auth = Auth::placed(placement, &name, format!("{prefix}{token}"));
    Ok(Plan::fixed(auth, Check::Request { method: "GET", path: "", reply: super::generic_check }))
}
