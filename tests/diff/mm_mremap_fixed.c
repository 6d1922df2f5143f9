// MREMAP_FIXED (replacing the target), MREMAP_DONTUNMAP, and their errors.
#include "common.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

int main(void)
{
    char *src = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *dst = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(src, 's', 4 * 4096);
    memset(dst, 'd', 8 * 4096);
    char *r = mremap(src, 4 * 4096, 4 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * 4096);
    printf("fixed move: %s\n", r == dst + 2 * 4096 ? "at target" : r == MAP_FAILED ? en(errno) : "elsewhere");
    printf("target: %c%c%c%c%c%c%c%c\n", dst[0], dst[4096], dst[2 * 4096], dst[3 * 4096], dst[4 * 4096], dst[5 * 4096], dst[6 * 4096], dst[7 * 4096]);
    printf("source unmapped: %s\n", probe_read(src) ? "no" : "yes");
    /* fixed with shrink and grow */
    char *g = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(g, 'g', 2 * 4096);
    r = mremap(g, 2 * 4096, 3 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 5 * 4096);
    printf("fixed grow: %s tail %s\n", r == dst + 5 * 4096 ? "at target" : "bad", r[2 * 4096] == 0 ? "zero" : "old data");
    r = mremap(dst + 5 * 4096, 3 * 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, src);
    printf("fixed shrink: %s, %c, rest of old gone: %s\n", r == src ? "at target" : "bad", src[0], probe_read(dst + 6 * 4096) ? "no" : "yes");
    /* errors */
    char *e = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("FIXED without MAYMOVE", (long)mremap(e, 4096, 4096, MREMAP_FIXED, dst));
    SHOW("overlapping target", (long)mremap(e, 2 * 4096, 2 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, e + 4096));
    SHOW("unaligned target", (long)mremap(e, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 1));
    SHOW("target beyond TASK_SIZE", (long)mremap(e, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)0x7ffffffff000UL));
    SHOW("unmapped source", (long)mremap(dst + 6 * 4096, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, e + 3 * 4096));
    SHOW("unknown flag", (long)mremap(e, 4096, 4096, 0x10));
    /* DONTUNMAP: source stays mapped but empty */
    memset(e, 'e', 4 * 4096);
    r = mremap(e, 4096, 4096, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    printf("DONTUNMAP: %s", r == MAP_FAILED ? en(errno) : "moved");
    if (r != MAP_FAILED)
        printf(" new %c old %s", r[0], probe_read(e) ? (e[0] == 0 ? "zero" : "kept") : "unmapped");
    printf("\n");
    SHOW("DONTUNMAP without MAYMOVE", (long)mremap(e, 4096, 4096, MREMAP_DONTUNMAP));
    SHOW("DONTUNMAP size change", (long)mremap(e, 4096, 8192, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
    return 0;
}
