/* PVH entry: QEMU (or any PVH loader) jumps to pvh_start32 in 32-bit protected
 * mode, paging off, with %ebx = physical address of struct hvm_start_info.
 * We build temporary page tables (identity + direct map + kernel map of the
 * first 1 GiB with 2 MiB pages), enable long mode, SSE and NX, and jump to
 * rust `kernel_entry(start_info)` in the higher half. */

.set KERNEL_VIRT, 0xffffffff80000000

.section .note.Xen, "a", @note
    .balign 4
    .long 4            /* namesz */
    .long 4            /* descsz */
    .long 18           /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long pvh_start32

.section .boot.text, "ax"
.code32
.global pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %esi                      /* keep start_info */
    mov $boot_stack_top, %esp

    /* zero the boot page tables */
    mov $boot_pml4, %edi
    mov $(4096 * 4 / 4), %ecx
    xor %eax, %eax
    rep stosl

    /* PD: 512 x 2 MiB, present|writable|huge */
    mov $boot_pd, %edi
    mov $0x83, %eax
    xor %ecx, %ecx
1:  mov %eax, (%edi,%ecx,8)
    movl $0, 4(%edi,%ecx,8)
    add $0x200000, %eax
    inc %ecx
    cmp $512, %ecx
    jne 1b

    /* low PDPT[0] -> PD ; high PDPT[510] -> PD */
    mov $boot_pd, %eax
    or $0x3, %eax
    mov %eax, boot_pdpt_lo
    mov %eax, boot_pdpt_hi + 510 * 8

    /* PML4[0] and PML4[256] -> low PDPT, PML4[511] -> high PDPT */
    mov $boot_pdpt_lo, %eax
    or $0x3, %eax
    mov %eax, boot_pml4
    mov %eax, boot_pml4 + 256 * 8
    mov $boot_pdpt_hi, %eax
    or $0x3, %eax
    mov %eax, boot_pml4 + 511 * 8

    /* CR4: PAE | PGE | OSFXSR | OSXMMEXCPT */
    mov %cr4, %eax
    or $((1 << 5) | (1 << 7) | (1 << 9) | (1 << 10)), %eax
    mov %eax, %cr4

    mov $boot_pml4, %eax
    mov %eax, %cr3

    /* EFER: SCE | LME | NXE */
    mov $0xC0000080, %ecx
    rdmsr
    or $((1 << 0) | (1 << 8) | (1 << 11)), %eax
    wrmsr

    /* CR0: PG | WP | MP | PE, clear EM and TS */
    mov %cr0, %eax
    and $~((1 << 2) | (1 << 3)), %eax
    or $((1 << 31) | (1 << 16) | (1 << 1) | 1), %eax
    mov %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $boot_long_mode

.code64
boot_long_mode:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    fninit
    /* zero .bss (the boot kernel stack lives there, not yet in use) */
    movabs $__bss_start, %rdi
    movabs $__bss_end, %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    movabs $boot_kstack_top, %rsp
    xor %ebp, %ebp
    mov %esi, %edi                       /* start_info (phys) */
    movabs $kernel_entry, %rax
    call *%rax
2:  hlt
    jmp 2b

.section .boot.data, "aw"
.balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff              /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff              /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

.section .boot.bss, "aw", @nobits
.balign 4096
boot_pml4:    .skip 4096
boot_pdpt_lo: .skip 4096
boot_pdpt_hi: .skip 4096
boot_pd:      .skip 4096
boot_stack:   .skip 4096
boot_stack_top:

.section .bss
.balign 16
.global boot_kstack_bottom
boot_kstack_bottom:
    .skip 65536
boot_kstack_top:
