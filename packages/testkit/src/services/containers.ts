import type { Provided } from './provided.js';

/**
 * The last resort, only where a Docker engine exists: run the service in a container with
 * testcontainers. Without an engine testcontainers fails fast and we report why.
 */
export async function tryContainer<T>(
  image: string,
  port: number,
  command: string[],
  describe: (host: string, mappedPort: number) => Promise<T>,
  env: Record<string, string> = {},
): Promise<Provided<T>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  let container = new GenericContainer(image).withExposedPorts(port).withEnvironment(env);
  if (command.length > 0) container = container.withCommand(command);
  const started = await container.withWaitStrategy(Wait.forListeningPorts()).start();
  const info = await describe(started.getHost(), started.getMappedPort(port));
  return {
    info,
    provenance: 'container',
    stop: async () => {
      await started.stop();
    },
  };
}
