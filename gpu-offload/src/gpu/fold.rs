//! WGSL k:1 XOR fold kernel: one invocation produces one 32-bit output word (32 output bits,
//! i.e. 32k input bits). Power-of-two k folds whole input words with xor-shifts; any other k takes
//! each group's parity with `countOneBits` on up to 32-bit windows instead of a bit-by-bit loop.

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
    let k = params.k;
    var v = 0u;
    if ((k & (k - 1u)) == 0u && k <= 32u) {{
        // k a power of two (the profiles use 2): groups never straddle words. Input word t of this
        // output word holds 32/k groups; xor-shift folding leaves each group's parity in the
        // group's lowest bit, and those bits are gathered.
        let per = 32u / k;
        for (var t = 0u; t * per < nb; t = t + 1u) {{
            var y = input[w * k + t];
            for (var s = 1u; s < k; s = s * 2u) {{ y = y ^ (y >> s); }}
            for (var j = 0u; j < per; j = j + 1u) {{
                v = v | (((y >> (j * k)) & 1u) << (t * per + j));
            }}
        }}
        v = v & select((1u << nb) - 1u, 0xffffffffu, nb == 32u);
    }} else {{
        for (var j = 0u; j < nb; j = j + 1u) {{
            v = v | (group_parity((first + j) * k, k) << j);
        }}
    }}
    output[w] = v;
}}
"#
    )
}
