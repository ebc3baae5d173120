// SPDX-License-Identifier: GPL-2.0-only
/*
 * pipe-pair: a parent and a child talk over kipc_pipe(), as they would
 * over pipe(2), except that every write arrives as one whole message.
 *
 *   pipe-pair [MESSAGES]
 *
 * The child writes MESSAGES lines and exits; the parent reads until end of
 * file, which comes once the child's end is closed and the channel drained.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libkipc.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 3;
	char buf[256];
	unsigned long got = 0;
	int fds[2], ret, status;
	ssize_t len;

	ret = kipc_pipe(fds, 0);
	if (ret) {
		fprintf(stderr, "pipe-pair: kipc_pipe: %s\n", strerror(-ret));
		return 1;
	}

	if (fork() == 0) {
		close(fds[0]);
		for (unsigned long i = 1; i <= n; i++) {
			int l = snprintf(buf, sizeof(buf), "message %lu of %lu from %d",
					 i, n, getpid());

			if (write(fds[1], buf, l) != l)
				_exit(1);
		}
		_exit(0);	/* closing the write end is the end of file */
	}

	close(fds[1]);
	while ((len = read(fds[0], buf, sizeof(buf) - 1)) > 0) {
		buf[len] = '\0';
		printf("parent got %zd bytes: %s\n", len, buf);
		got++;
	}
	if (len < 0) {
		perror("pipe-pair: read");
		return 1;
	}
	printf("end of file after %lu messages\n", got);
	wait(&status);
	return got != n || !WIFEXITED(status) || WEXITSTATUS(status);
}
