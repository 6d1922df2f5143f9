/* Kernel entry and exit paths. Every entry from user mode (syscall, interrupt,
 * exception) builds the same TrapFrame on the task's kernel stack:
 *   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector err rip cs rflags rsp ss
 * (lowest address first) and saves the user FPU/SIMD state (x87, SSE, AVX...)
 * with xsave64 (fxsave64 on CPUs without XSAVE, see arch/fpu.rs) into the
 * image of the task's FpuState, before any Rust code runs; the exit path
 * restores both.
 * Per-CPU block (GS base in kernel mode): 0 self, 8 user rsp scratch,
 * 16 kernel stack top of the current task, 24 current task's FpuState, whose
 * first quadword is the address of its 64-byte aligned image, 32 CPU index,
 * 40 current task (arch/cpu.rs, task/sched.rs). */

.code64
.section .text

/* Save / load the user FPU state of the current task (clobbers rax, rcx,
 * rdx, which are already saved). Mask -1: every component enabled in XCR0. */
.macro SAVE_FPU
    mov %gs:24, %rcx
    mov (%rcx), %rcx
    cmpb $0, RILL_FPU_XSAVE(%rip)
    je 91f
    mov $-1, %eax
    mov $-1, %edx
    xsave64 (%rcx)
    jmp 92f
91: fxsave64 (%rcx)
92:
.endm

/* Syscall entry: just xmm0-15 and MXCSR when XSAVE is on (FpuState's lazy
 * path, see arch/fpu.rs; offsets 8 and 16 are checked there). */
.macro SAVE_FPU_SYSCALL
    cmpb $0, RILL_FPU_XSAVE(%rip)
    je 95f
    mov %gs:24, %rcx
    movq $1, 8(%rcx)
    movdqu %xmm0, 16(%rcx)
    movdqu %xmm1, 32(%rcx)
    movdqu %xmm2, 48(%rcx)
    movdqu %xmm3, 64(%rcx)
    movdqu %xmm4, 80(%rcx)
    movdqu %xmm5, 96(%rcx)
    movdqu %xmm6, 112(%rcx)
    movdqu %xmm7, 128(%rcx)
    movdqu %xmm8, 144(%rcx)
    movdqu %xmm9, 160(%rcx)
    movdqu %xmm10, 176(%rcx)
    movdqu %xmm11, 192(%rcx)
    movdqu %xmm12, 208(%rcx)
    movdqu %xmm13, 224(%rcx)
    movdqu %xmm14, 240(%rcx)
    movdqu %xmm15, 256(%rcx)
    stmxcsr 272(%rcx)
    jmp 96f
95: SAVE_FPU
96:
.endm

.macro RESTORE_FPU
    mov %gs:24, %rcx
    cmpq $0, 8(%rcx)
    je 97f
    movq $0, 8(%rcx)
    movdqu 16(%rcx), %xmm0
    movdqu 32(%rcx), %xmm1
    movdqu 48(%rcx), %xmm2
    movdqu 64(%rcx), %xmm3
    movdqu 80(%rcx), %xmm4
    movdqu 96(%rcx), %xmm5
    movdqu 112(%rcx), %xmm6
    movdqu 128(%rcx), %xmm7
    movdqu 144(%rcx), %xmm8
    movdqu 160(%rcx), %xmm9
    movdqu 176(%rcx), %xmm10
    movdqu 192(%rcx), %xmm11
    movdqu 208(%rcx), %xmm12
    movdqu 224(%rcx), %xmm13
    movdqu 240(%rcx), %xmm14
    movdqu 256(%rcx), %xmm15
    ldmxcsr 272(%rcx)
    jmp 94f
97: mov (%rcx), %rcx
    cmpb $0, RILL_FPU_XSAVE(%rip)
    je 93f
    mov $-1, %eax
    mov $-1, %edx
    xrstor64 (%rcx)
    jmp 94f
93: fxrstor64 (%rcx)
94:
.endm

.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

.macro VEC num
    .balign 16
vector_\num:
    .if (\num == 8) || (\num >= 10 && \num <= 14) || (\num == 17) || (\num == 21) || (\num == 29) || (\num == 30)
    .else
    push $0
    .endif
    push $\num
    jmp trap_common
.endm

.global trap_vectors_start
trap_vectors_start:
.altmacro
.set i, 0
.rept 256
    VEC %i
    .set i, i + 1
.endr

.section .rodata
.balign 8
.global trap_vector_table
trap_vector_table:
.set i, 0
.macro VECADDR num
    .quad vector_\num
.endm
.rept 256
    VECADDR %i
    .set i, i + 1
.endr
.noaltmacro

.section .text
trap_common:
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:  PUSH_GPRS
    testb $3, 144(%rsp)
    jz 2f
    SAVE_FPU
2:  mov %rsp, %rdi
    cld
    call trap_handler
    jmp trap_return

.global trap_return
trap_return:
    testb $3, 144(%rsp)
    jz 3f
    RESTORE_FPU
3:  POP_GPRS
    add $16, %rsp
    testb $3, 8(%rsp)
    jz 4f
    swapgs
4:  iretq

.global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:8
    mov %gs:16, %rsp
    push $0x1b
    push %gs:8
    push %r11
    push $0x23
    push %rcx
    push $0
    push $256
    PUSH_GPRS
    SAVE_FPU_SYSCALL
    mov %rsp, %rdi
    cld
    call rill_syscall
    /* Back to user with sysretq when that gives exactly what iretq would (as Linux
     * does): the frame still says rcx = rip and r11 = rflags (as the syscall
     * instruction left them: no signal frame, sigreturn or exec changed that), the
     * standard user segments, a user-half rip (sysretq to a non-canonical address
     * faults in ring 0 on Intel) and neither RF nor TF (sysretq clears RF).
     * Anything else takes trap_return. rax and rcx are scratch: popped below. */
    mov 136(%rsp), %rcx
    cmp %rcx, 96(%rsp)
    jne trap_return
    mov %rcx, %rax
    shr $47, %rax
    jnz trap_return
    mov 152(%rsp), %rax
    cmp %rax, 32(%rsp)
    jne trap_return
    test $0x10100, %rax
    jnz trap_return
    cmpq $0x23, 144(%rsp)
    jne trap_return
    cmpq $0x1b, 168(%rsp)
    jne trap_return
    RESTORE_FPU
    POP_GPRS
    /* skip vector and err: rip cs rflags rsp ss are left */
    add $16, %rsp
    mov 24(%rsp), %rsp
    swapgs
    sysretq

/* context_switch(prev_rsp: *mut u64, next_rsp: u64) */
.global context_switch
context_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* First run of a new task: finish the switch in Rust, then leave to user. */
.global task_start
task_start:
    call task_first_run
    jmp trap_return

/* First run of a kernel thread (task::kthread): context_switch popped the
 * argument into r12 and the entry function into r13; the entry never returns. */
.global kthread_start
kthread_start:
    mov %r12, %rdi
    call *%r13
    ud2
