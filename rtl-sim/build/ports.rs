//! Port list of a rust-hdl top module, read from the generated Verilog.
//!
//! rust-hdl writes `module name(a,b,c);` followed by one declaration per argument
//! (`input wire  [7:0] a;`, `output reg  b;`, `output wire  [199:0] c;`). Reading that text
//! (rather than Verilator's XML) keeps the build independent of Verilator's output formats and
//! works even when Verilator is missing.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub input: bool,
    pub width: u32,
}

/// Ports of module `top` in `src`, in header order.
pub fn parse_ports(src: &str, top: &str) -> Result<Vec<Port>, String> {
    let header = format!("module {top}(");
    let start =
        src.find(&header).ok_or_else(|| format!("no `{header}...);` header for the top module"))?;
    let after = &src[start + header.len()..];
    let close = after.find(");").ok_or("unterminated module header")?;
    let names: Vec<&str> =
        after[..close].split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let body_end = after.find("endmodule").unwrap_or(after.len());
    // Line comments would glue onto the next declaration once split at `;`.
    let body: String = after[close + 2..body_end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut ports = Vec::with_capacity(names.len());
    for name in names {
        ports.push(find_decl(&body, name).ok_or_else(|| {
            format!("module {top}: no input/output declaration for port `{name}`")
        })?);
    }
    Ok(ports)
}

fn find_decl(body: &str, name: &str) -> Option<Port> {
    for stmt in body.split(';') {
        let words: Vec<&str> = stmt.split_whitespace().collect();
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            continue;
        };
        let input = match *first {
            "input" => true,
            "output" => false,
            _ => continue,
        };
        if *last != name {
            continue;
        }
        let width = match words.iter().find(|w| w.starts_with('[')) {
            None => 1,
            Some(range) => {
                let inner = range.trim_start_matches('[').trim_end_matches(']');
                let (hi, lo) = inner.split_once(':')?;
                hi.trim().parse::<u32>().ok()? - lo.trim().parse::<u32>().ok()? + 1
            }
        };
        return Some(Port { name: name.to_string(), input, width });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rust_hdl_header() {
        let src = "module t$x(a);\n input wire a;\nendmodule\n\nmodule t(clock,d,q,w);\n\
                   // Module arguments\n    input wire  clock;\n    input wire  [7:0] d;\n\
                   output reg  [199:0] q;\n  output wire  w;\n  reg  [3:0] local;\nendmodule // t\n";
        let p = parse_ports(src, "t").unwrap();
        assert_eq!(
            p,
            vec![
                Port { name: "clock".into(), input: true, width: 1 },
                Port { name: "d".into(), input: true, width: 8 },
                Port { name: "q".into(), input: false, width: 200 },
                Port { name: "w".into(), input: false, width: 1 },
            ]
        );
        assert!(parse_ports(src, "nope").is_err());
    }
}
