/* cpus.h - how many CPUs this process may run on. */
#ifndef K2E_CPUS_H
#define K2E_CPUS_H

/*
 * The CPUs in this thread's affinity mask (taskset, cgroup cpusets), else
 * the online CPUs; at least 1.
 */
unsigned k2e_cpu_count(void);

#endif
