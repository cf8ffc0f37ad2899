// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every registered case in a child process and prints one line per
 * case, "PASS name" or "FAIL name: reason", then "N passed, N failed".
 * An argument limits the run to the cases whose names contain it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "harness.h"

static struct xt_case *xt_head, **xt_tail = &xt_head;
static int xt_report_fd = -1;

void xt_register(struct xt_case *c)
{
	/* Constructors run in definition order: keep it. */
	c->next = NULL;
	*xt_tail = c;
	xt_tail = &c->next;
}

void xt_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (xt_report_fd >= 0 && write(xt_report_fd, msg, strlen(msg)) < 0)
		perror("write");
	_exit(1);
}

/* Runs one case; returns 1 if it passed, printing its line either way. */
static int xt_run(struct xt_case *c)
{
	char reason[600];
	ssize_t got, len = 0;
	int fds[2], status;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) < 0) {
		printf("FAIL %s: pipe failed\n", c->name);
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork failed\n", c->name);
		return 0;
	}
	if (pid == 0) {
		close(fds[0]);
		xt_report_fd = fds[1];
		c->fn();
		_exit(0);
	}
	close(fds[1]);
	while (len < (ssize_t)sizeof(reason) - 1) {
		got = read(fds[0], reason + len,
			   sizeof(reason) - 1 - (size_t)len);
		if (got <= 0)
			break;
		len += got;
	}
	reason[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0) {
		printf("FAIL %s: waitpid failed\n", c->name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("PASS %s\n", c->name);
		return 1;
	}
	if (len)
		printf("FAIL %s: %s\n", c->name, reason);
	else if (WIFSIGNALED(status))
		printf("FAIL %s: killed by signal %d\n", c->name,
		       WTERMSIG(status));
	else
		printf("FAIL %s: exited %d (sanitizer report above)\n",
		       c->name, WEXITSTATUS(status));
	return 0;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int passed = 0, failed = 0;
	struct xt_case *c;

	for (c = xt_head; c; c = c->next) {
		if (filter && !strstr(c->name, filter))
			continue;
		if (xt_run(c))
			passed++;
		else
			failed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
