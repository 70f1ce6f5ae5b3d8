//! Any API with a static token: a header of any name with an optional prefix, or a query
//! parameter.

use super::{Auth, Placement, Plan, Reader};
use crate::secret::{check_header_name, check_header_value, check_no_controls};
use crate::{Error, Result};

/// Header name, prefix and query name of a header-scheme configuration.
pub(crate) struct Shape {
    pub placement: Placement,
    pub name: String,
    pub prefix: String,
}

pub(crate) fn shape(r: &Reader) -> Result<Shape> {
    let placement = r.placement()?;
    let prefix = r.cfg.get("prefix").unwrap_or("").to_string();
    check_header_value(&prefix, "prefix")?;
    let name = match placement {
        Placement::Header => {
            let n = r.cfg.get("headerName").map(str::trim).filter(|s| !s.is_empty()).unwrap_or("Authorization");
            check_header_name(n, "headerName")?;
            n.to_string()
        }
        Placement::Query => {
            let n = r.cfg.get("queryName").map(str::trim).filter(|s| !s.is_empty()).unwrap_or("api_key");
            check_no_controls(n, "queryName")?;
            if n.contains(['&', '=', '#', '?']) {
                return Err(Error::new("queryName", "must not contain '&', '=', '#' or '?'"));
            }
            n.to_string()
        }
    };
    Ok(Shape { placement, name, prefix })
}

pub(crate) fn plan(r: &mut Reader) -> Result<Plan> {
    let s = shape(r)?;
    let token = r.header_secret("token")?;
    let value = format!("{}{}", s.prefix, token);
    Ok(Plan::Static(Auth::placed(s.placement, &s.name, &s.name, value)))
}
