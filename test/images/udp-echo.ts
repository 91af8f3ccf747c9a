// A test image for UDP Services: busybox plus /bin/udp-echo, a small static C program, because
// busybox's nc has no UDP mode. `udp-echo serve PORT` answers each datagram with "<hostname> <payload>"
// (so a client sees which endpoint answered); `udp-echo send IP PORT MESSAGE [SECONDS]` sends one
// datagram, prints the reply and exits 0, or exits 1 when none came in time. Built only when gcc with
// a static libc works; callers skip their UDP checks otherwise.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage } from '../../src/agent/images/busybox-image.js';
import { pushImage } from './registry.js';

const run = promisify(execFile);

const source = `#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }

static int serve(int port) {
  char host[64] = "?", buf[1500], out[1600];
  gethostname(host, sizeof host - 1);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY) };
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
  printf("udp-echo listening on %d\\n", port);
  fflush(stdout);
  for (;;) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) continue;
    buf[n] = 0;
    int m = snprintf(out, sizeof out, "%s %s", host, buf);
    sendto(s, out, m, 0, (struct sockaddr *)&from, fl);
  }
}

static int send_one(const char *ip, int port, const char *msg, int secs) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  if (s < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "bad address %s\\n", ip); return 2; }
  struct timeval tv = { .tv_sec = secs };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof a) < 0) { perror("sendto"); return 1; }
  char buf[1600];
  ssize_t n = recv(s, buf, sizeof buf - 1, 0);
  if (n < 0) { perror("recv"); return 1; }
  buf[n] = 0;
  printf("%s\\n", buf);
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve(atoi(argv[2]));
  if ((argc == 5 || argc == 6) && strcmp(argv[1], "send") == 0) return send_one(argv[2], atoi(argv[3]), argv[4], argc == 6 ? atoi(argv[5]) : 3);
  fprintf(stderr, "usage: udp-echo serve PORT | udp-echo send IP PORT MESSAGE [SECONDS]\\n");
  return 2;
}
`;

async function compileUdpEcho(): Promise<Buffer | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-udp-echo-'));
  try {
    await writeFile(join(dir, 'udp-echo.c'), source);
    await run('gcc', ['-static', '-Os', '-s', '-o', join(dir, 'udp-echo'), join(dir, 'udp-echo.c')], { timeout: 60_000 });
    return await readFile(join(dir, 'udp-echo'));
  } catch {
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Builds busybox + /bin/udp-echo and pushes it to the registry as tandem/udp-echo:1; returns the image
 * reference (`host/tandem/udp-echo:1`), or undefined when gcc cannot build a static program here.
 */
export async function pushUdpEchoImage(registry: { url: string; host: string }): Promise<string | undefined> {
  const binary = await compileUdpEcho();
  if (!binary) return undefined;
  const image = await buildBusyboxImage({
    name: 'docker.io/tandem/udp-echo:1',
    files: [{ type: 'file', path: 'bin/udp-echo', mode: 0o755, data: binary }],
    cmd: ['sh'],
  });
  await pushImage(registry.url, 'tandem/udp-echo', '1', image);
  return `${registry.host}/tandem/udp-echo:1`;
}
