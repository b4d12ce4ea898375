/*
 * vmt_cmd.c - the gen and convert commands (see vmtrace.h): one
 * implementation behind `vmtrace gen/convert` and `vmsim gen/convert`.
 */
#include "vmt_internal.h"

int vmt_cmd_gen(const char *prog, const char *spec, const char *in_format, const char *out,
                const char *out_format, const struct vmt_open_opts *opts, uint64_t ops,
                int bad_status, int write_status)
{
    char err[600];
    struct vmt_source *s = vmt_open_ops(spec, in_format, opts, ops, err, sizeof err);
    int rc;
    if (!s) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return bad_status;
    }
    if (ops && vmt_info(s)->op_count && vmt_info(s)->op_count < ops) {
        fprintf(stderr, "%s: %s: %llu ops, fewer than --ops %llu (only generators are lengthened)\n",
                prog, spec, (unsigned long long)vmt_info(s)->op_count, (unsigned long long)ops);
        vmt_close(s);
        return bad_status;
    }
    rc = vmt_write_source(s, out, out_format, opts, ops, err, sizeof err);
    vmt_close(s);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return write_status;
    }
    return 0;
}

int vmt_cmd_convert(const char *prog, const char *in, const char *in_format, const char *out,
                    const char *out_format, const struct vmt_open_opts *opts, int fail_status)
{
    char err[600];
    if (vmt_convert(in, in_format, out, out_format, opts, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return fail_status;
    }
    return 0;
}
