// Whether an exited container is started again, by the pod's (or a sidecar's own) restart policy.

export function shouldRestart(restartPolicy: string | undefined, exitCode: number): boolean {
  switch (restartPolicy ?? 'Always') {
    case 'Always':
      return true;
    case 'OnFailure':
      return exitCode !== 0;
    default:
      return false;
  }
}
