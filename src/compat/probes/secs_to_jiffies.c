// SPDX-License-Identifier: GPL-2.0
/*
 * secs_to_jiffies: mainline 6.13 ("jiffies: Define secs_to_jiffies()").
 * compat.h defines it when missing.
 */
#include <linux/jiffies.h>

unsigned long xbng_probe(unsigned int secs);
unsigned long xbng_probe(unsigned int secs)
{
	return secs_to_jiffies(secs);
}
