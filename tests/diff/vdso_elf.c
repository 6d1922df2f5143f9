/* The vDSO: AT_SYSINFO_EHDR points at an ELF shared object mapped as [vdso]
 * (with [vvar] data), soname linux-vdso.so.1, a symbol hash table, and the
 * five x86_64 entry points defined with version LINUX_2.6. */
#include "common.h"
#include <elf.h>
#include <sys/auxv.h>

static const Elf64_Ehdr *eh;
static uintptr_t bias;
static const Elf64_Sym *symtab;
static const char *strtab;
static const Elf64_Half *versym;
static const Elf64_Verdef *verdef;
static const Elf32_Word *hash;
static const uint32_t *gnuhash;

/* number of dynamic symbols, from DT_HASH or by walking DT_GNU_HASH */
static unsigned nsyms(void)
{
    if (hash)
        return hash[1];
    if (!gnuhash)
        return 0;
    uint32_t nbuckets = gnuhash[0], symoff = gnuhash[1], bloom = gnuhash[2];
    const uint32_t *buckets = gnuhash + 4 + bloom * 2;
    const uint32_t *chain = buckets + nbuckets;
    uint32_t max = 0;
    for (uint32_t i = 0; i < nbuckets; i++)
        if (buckets[i] > max)
            max = buckets[i];
    if (max < symoff)
        return symoff;
    while (!(chain[max - symoff] & 1))
        max++;
    return max + 1;
}

static const char *version_of(unsigned idx)
{
    if (!versym || !verdef)
        return "(none)";
    unsigned v = versym[idx] & 0x7fff;
    const Elf64_Verdef *d = verdef;
    for (;;) {
        if (d->vd_ndx == v) {
            const Elf64_Verdaux *a = (const void *)((const char *)d + d->vd_aux);
            return strtab + a->vda_name;
        }
        if (!d->vd_next)
            return "(unknown)";
        d = (const void *)((const char *)d + d->vd_next);
    }
}

static void show_sym(const char *name)
{
    unsigned n = nsyms();
    for (unsigned i = 1; i < n; i++) {
        const Elf64_Sym *s = &symtab[i];
        if (strcmp(strtab + s->st_name, name))
            continue;
        printf("%s: defined %s, func %s, version %s\n", name,
               s->st_shndx != SHN_UNDEF ? "yes" : "no",
               ELF64_ST_TYPE(s->st_info) == STT_FUNC ? "yes" : "no", version_of(i));
        return;
    }
    printf("%s: missing\n", name);
}

static void maps_line(const char *tag)
{
    char buf[65536];
    if (get_file("/proc/self/maps", buf, sizeof buf) < 0) {
        printf("%s: no maps\n", tag);
        return;
    }
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
        size_t n = strlen(l), t = strlen(tag);
        if (n < t || strcmp(l + n - t, tag))
            continue;
        unsigned long lo, hi;
        char perms[5] = "";
        sscanf(l, "%lx-%lx %4s", &lo, &hi, perms);
        printf("%s: %s, page-aligned %s", tag, perms, (lo | hi) % 4096 ? "no" : "yes");
        if (!strcmp(tag, "[vdso]"))
            printf(", starts at AT_SYSINFO_EHDR %s", lo == (uintptr_t)eh ? "yes" : "no");
        printf("\n");
        return;
    }
    printf("%s: missing\n", tag);
}

int main(void)
{
    eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
    YN("AT_SYSINFO_EHDR set", eh != NULL);
    if (!eh)
        return 0;
    YN("ELF magic", !memcmp(eh->e_ident, ELFMAG, SELFMAG));
    YN("ELFCLASS64", eh->e_ident[EI_CLASS] == ELFCLASS64);
    YN("ET_DYN", eh->e_type == ET_DYN);
    YN("EM_X86_64", eh->e_machine == EM_X86_64);
    const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    int loads = 0, first = 1;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            if (first)
                bias = (uintptr_t)eh - (ph[i].p_vaddr - ph[i].p_offset);
            first = 0;
            loads++;
        }
    }
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const void *)(bias + ph[i].p_vaddr);
    YN("has PT_LOAD", loads > 0);
    YN("has PT_DYNAMIC", dyn != NULL);
    if (!dyn)
        return 0;
    uintptr_t soname = 0;
    int rel = 0;
    for (const Elf64_Dyn *d = dyn; d->d_tag != DT_NULL; d++) {
        uintptr_t p = bias + d->d_un.d_ptr;
        switch (d->d_tag) {
        case DT_SYMTAB: symtab = (const void *)p; break;
        case DT_STRTAB: strtab = (const void *)p; break;
        case DT_VERSYM: versym = (const void *)p; break;
        case DT_VERDEF: verdef = (const void *)p; break;
        case DT_HASH: hash = (const void *)p; break;
        case DT_GNU_HASH: gnuhash = (const void *)p; break;
        case DT_SONAME: soname = d->d_un.d_val; break;
        case DT_REL: case DT_RELA: case DT_JMPREL: case DT_TEXTREL: rel = 1; break;
        }
    }
    YN("has symtab and strtab", symtab && strtab);
    YN("has DT_HASH or DT_GNU_HASH", hash || gnuhash);
    YN("has DT_VERSYM and DT_VERDEF", versym && verdef);
    YN("no relocations", !rel);
    if (!symtab || !strtab)
        return 0;
    printf("soname: %s\n", soname ? strtab + soname : "(none)");
    show_sym("__vdso_clock_gettime");
    show_sym("__vdso_gettimeofday");
    show_sym("__vdso_time");
    show_sym("__vdso_clock_getres");
    show_sym("__vdso_getcpu");
    maps_line("[vdso]");
    maps_line("[vvar]");
    /* the vDSO text is not writable, the data page cannot be made so */
    void *vv = NULL;
    char buf[65536];
    if (get_file("/proc/self/maps", buf, sizeof buf) > 0) {
        for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
            if (strstr(l, "[vvar]") && !vv) {
                unsigned long lo;
                sscanf(l, "%lx", &lo);
                vv = (void *)lo;
            }
    }
    if (vv)
        SHOW("mprotect [vvar] PROT_WRITE", mprotect(vv, 4096, PROT_READ | PROT_WRITE));
    return 0;
}
