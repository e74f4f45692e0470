//! WGSL k:1 XOR fold kernel: one invocation produces one 32-bit output word (32 output bits,
//! i.e. 32k input bits), taking the parity of each k-bit group with `countOneBits` on up to
//! 32-bit windows instead of a bit-by-bit loop.

pub const WORKGROUP: u32 = 64;

pub fn shader_source() -> String {
    format!(
        r#"// gpu-offload/src/gpu/fold.rs: output bit j = XOR of input bits j*k .. j*k+k-1 (LSB-first).
struct Params {{ k: u32, n_out_bits: u32, unused0: u32, unused1: u32 }}
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

fn group_parity(start: u32, k: u32) -> u32 {{
    var p = 0u;
    var i = start;
    var rem = k;
    loop {{
        if (rem == 0u) {{ break; }}
        let off = i & 31u;
        let take = min(rem, 32u - off);
        let mask = select((1u << take) - 1u, 0xffffffffu, take == 32u);
        p = p ^ countOneBits((input[i >> 5u] >> off) & mask);
        i = i + take;
        rem = rem - take;
    }}
    return p & 1u;
}}

@compute @workgroup_size({WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let w = gid.x;
    let first = w * 32u;
    if (first >= params.n_out_bits) {{ return; }}
    let nb = min(32u, params.n_out_bits - first);
    var v = 0u;
    for (var j = 0u; j < nb; j = j + 1u) {{
        v = v | (group_parity((first + j) * params.k, params.k) << j);
    }}
    output[w] = v;
}}
"#
    )
}
