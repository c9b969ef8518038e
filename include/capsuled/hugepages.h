/* Huge pages for the memory a site is held in. capsuled keeps every page
 * of a site rendered in memory; each 4 KiB page of heap touched for the
 * first time costs the kernel a fault, and on a site of 2,000 pages those
 * faults were half of a cold load (and of a reload's build). glibc's
 * malloc asks for transparent huge pages (2 MiB, one fault each) when its
 * tunable glibc.malloc.hugetlb is 1, which a program can only be given in
 * its environment at start. */
#ifndef CAPSULED_HUGEPAGES_H
#define CAPSULED_HUGEPAGES_H

/* Called first thing in main: starts the program again (execv of
 * /proc/self/exe with ARGV, the same pid, descriptors and arguments) with
 * glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES, unless the kernel offers
 * no huge pages, GLIBC_TUNABLES already names the tunable (so a user's
 * glibc.malloc.hugetlb=0 turns this off), the program is setuid, or an
 * allocator other than glibc's is in use (AddressSanitizer, valgrind).
 * Returns when it does not restart. */
void hugepages_restart(char **argv);

#endif
