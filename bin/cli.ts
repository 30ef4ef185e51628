// The `berth` command line: Docker's verbs, flags and exit codes. Each command's handler lives in
// bin/commands/ and is imported only when that command runs, so `berth ps` never loads the
// process runtime. Errors print as one `berth: …` line with Docker's exit codes (125 berth's own).

import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };

const { version } = pkg;
import type { Opts } from './commands/context.ts';

type Handler = (args: string[], opts: Opts) => Promise<number | undefined>;
type Loader = () => Promise<Record<string, unknown>>;

const collect = (v: string, prev: string[]) => [...prev, v];

const modules: Record<string, Loader> = {
  lifecycle: () => import('./commands/lifecycle.ts'),
  run: () => import('./commands/run.ts'),
  list: () => import('./commands/list.ts'),
  inspect: () => import('./commands/inspect.ts'),
  logs: () => import('./commands/logs.ts'),
  engine: () => import('./commands/engine.ts'),
  fs: () => import('./commands/container-fs.ts'),
  images: () => import('./commands/images.ts'),
  volumes: () => import('./commands/volumes.ts'),
  network: () => import('./commands/network.ts'),
  system: () => import('./commands/system.ts'),
  registry: () => import('./commands/registry.ts'),
  build: () => import('./commands/build.ts'),
  service: () => import('./commands/service.ts'),
};

function handler(module: string, name: string): Handler {
  return async (args, opts) => {
    const mod = await modules[module]!();
    return (mod[name] as Handler)(args, opts);
  };
}

/**
 * The command words this process will parse (`run`, or `container ls`); empty means all. Only
 * those commands get their options and arguments: building all ~120 commands' options costs a
 * cold start several milliseconds, and every other command is only a name in a help list.
 */
let focus: string[] = [];

function focusOf(argv: string[]): string[] {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return [];
  const groups = ['container', 'image', 'system', 'volume', 'network', 'manifest', 'builder'];
  const second = argv[1];
  return groups.includes(first) && second !== undefined && !second.startsWith('-')
    ? [first, second]
    : [first];
}

function inFocus(path: string[]): boolean {
  return focus.length === 0 || path.every((w, i) => i >= focus.length || focus[i] === w);
}

/**
 * An unfocused command: its chained option/argument calls are recorded, not built, and replayed
 * if an alias turns out to be the focused word (`container ps` is `container ls`).
 */
function deferred(cmd: Command, path: string[]): Command {
  const calls: [string, unknown[]][] = [];
  let live = false;
  const proxy: Command = new Proxy(cmd, {
    get(target, prop) {
      if (live) return Reflect.get(target, prop);
      return (...args: unknown[]) => {
        if (prop === 'aliases') {
          const names = args[0] as string[];
          target.aliases(names);
          if (names.some((n) => inFocus([...path.slice(0, -1), n]))) {
            live = true;
            const methods = target as unknown as Record<string, (...x: unknown[]) => unknown>;
            for (const [m, a] of calls) methods[m]!.apply(target, a);
          }
          return proxy;
        }
        calls.push([String(prop), args]);
        return proxy;
      };
    },
  });
  return proxy;
}

/** Adds `name` under `parent` with Docker-style usage; the action collects all positionals. */
function verb(parent: Command, name: string, usage: string, summary: string, run: Handler): Command {
  const cmd = parent.command(name).usage(usage).description(summary);
  cmd.action(async (...xs: unknown[]) => {
    const self = xs[xs.length - 1] as Command;
    const code = await run(self.args, self.opts());
    if (code !== undefined) process.exitCode = code;
  });
  const path = parent.parent ? [parent.name(), name] : [name];
  return inFocus(path) ? cmd : deferred(cmd, path);
}

function runOptions(cmd: Command): Command {
  return cmd
    .helpOption('--help', 'Print usage')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .option('--name <string>', 'Assign a name to the container')
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('-e, --env <list>', 'Set environment variables', collect, [])
    .option('--env-file <list>', 'Read in a file of environment variables', collect, [])
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-v, --volume <list>', 'Bind mount a volume', collect, [])
    .option('-p, --publish <list>', "Publish a container's port(s) to the host", collect, [])
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-h, --hostname <string>', 'Container host name')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('-l, --label <list>', 'Set meta data on a container', collect, [])
    .option('-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR', collect, [])
    .option('--network <network>', 'Connect a container to a network')
    .option('--network-alias <list>', 'Add network-scoped alias for the container', collect, [])
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect, [])
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--restart <string>', 'Restart policy to apply when a container exits', 'no')
    .option('--pull <string>', 'Pull image before running ("always", "missing", "never")', 'missing');
}

function containerCommands(parent: Command, top: boolean): void {
  const L = (n: string) => handler('lifecycle', n);
  runOptions(
    verb(
      parent,
      'run',
      '[OPTIONS] IMAGE [COMMAND] [ARG...]',
      'Create and run a new container from an image',
      handler('run', 'run'),
    ),
  );
  runOptions(
    verb(
      parent,
      'create',
      '[OPTIONS] IMAGE [COMMAND] [ARG...]',
      'Create a new container',
      handler('run', 'create'),
    ),
  );
  verb(
    parent,
    'start',
    '[OPTIONS] CONTAINER [CONTAINER...]',
    'Start one or more stopped containers',
    handler('run', 'start'),
  )
    .argument('<container...>')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('-i, --interactive', "Attach container's STDIN");
  verb(parent, 'stop', '[OPTIONS] CONTAINER [CONTAINER...]', 'Stop one or more running containers', L('stop'))
    .argument('<container...>')
    .option('-t, --time <seconds>', 'Seconds to wait before killing the container')
    .option('-s, --signal <string>', 'Signal to send to the container');
  verb(parent, 'kill', '[OPTIONS] CONTAINER [CONTAINER...]', 'Kill one or more running containers', L('kill'))
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container', 'KILL');
  verb(
    parent,
    'restart',
    '[OPTIONS] CONTAINER [CONTAINER...]',
    'Restart one or more containers',
    L('restart'),
  )
    .argument('<container...>')
    .option('-t, --time <seconds>', 'Seconds to wait before killing the container');
  verb(
    parent,
    'pause',
    'CONTAINER [CONTAINER...]',
    'Pause all processes within one or more containers',
    L('pause'),
  ).argument('<container...>');
  verb(
    parent,
    'unpause',
    'CONTAINER [CONTAINER...]',
    'Unpause all processes within one or more containers',
    L('unpause'),
  ).argument('<container...>');
  verb(
    parent,
    'wait',
    'CONTAINER [CONTAINER...]',
    'Block until one or more containers stop, then print their exit codes',
    L('wait'),
  ).argument('<container...>');
  verb(
    parent,
    top ? 'rm' : 'rm',
    '[OPTIONS] CONTAINER [CONTAINER...]',
    'Remove one or more containers',
    L('rm'),
  )
    .aliases(top ? [] : ['remove'])
    .argument('<container...>')
    .option('-f, --force', 'Force the removal of a running container')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container');
  verb(parent, 'rename', 'CONTAINER NEW_NAME', 'Rename a container', L('rename'))
    .argument('<container>')
    .argument('<new_name>');
  verb(parent, top ? 'ps' : 'ls', '[OPTIONS]', 'List containers', handler('list', 'ps'))
    .aliases(top ? [] : ['ps', 'list'])
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-q, --quiet', 'Only display container IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-s, --size', 'Display total file sizes')
    .option('-n, --last <int>', 'Show n last created containers (includes all states)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', 'Format output using a custom template');
  verb(
    parent,
    'port',
    'CONTAINER [PRIVATE_PORT[/PROTO]]',
    'List port mappings or a specific mapping for the container',
    handler('network', 'port'),
  )
    .argument('<container>')
    .argument('[private_port]');
  verb(parent, 'logs', '[OPTIONS] CONTAINER', 'Fetch the logs of a container', handler('logs', 'logs'))
    .argument('<container>')
    .option('-f, --follow', 'Follow log output')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option(
      '--since <string>',
      'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m")',
    )
    .option('--until <string>', 'Show logs before a timestamp or relative (e.g. "42m")');
  verb(
    parent,
    'attach',
    '[OPTIONS] CONTAINER',
    'Attach local standard input, output, and error streams to a running container',
    handler('engine', 'attach'),
  )
    .argument('<container>')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process', true)
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container');
  verb(
    parent,
    'inspect',
    '[OPTIONS] CONTAINER [CONTAINER...]',
    'Display detailed information on one or more containers',
    handler('inspect', top ? 'inspect' : 'containerInspect'),
  )
    .argument('<name...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-s, --size', 'Display total file sizes')
    .option('--type <string>', 'Only inspect objects of the given type');
  verb(
    parent,
    'exec',
    '[OPTIONS] CONTAINER COMMAND [ARG...]',
    'Execute a command in a running container',
    handler('run', 'exec'),
  )
    .argument('<container>')
    .argument('<command...>')
    .passThroughOptions()
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-e, --env <list>', 'Set environment variables', collect, [])
    .option('-w, --workdir <string>', 'Working directory inside the container');
  verb(
    parent,
    'top',
    'CONTAINER [ps OPTIONS]',
    'Display the running processes of a container',
    handler('list', 'top'),
  )
    .argument('<container>')
    .argument('[options...]');
  verb(
    parent,
    'cp',
    '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    'Copy files/folders between a container and the local filesystem',
    handler('fs', 'cp'),
  )
    .argument('<src>')
    .argument('<dest>')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH');
  verb(
    parent,
    'diff',
    'CONTAINER',
    "Inspect changes to files or directories on a container's filesystem",
    handler('fs', 'diff'),
  ).argument('<container>');
  verb(
    parent,
    'commit',
    '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    "Create a new image from a container's changes",
    handler('fs', 'commit'),
  )
    .argument('<container>')
    .argument('[repository]')
    .option('-a, --author <string>', 'Author')
    .option('-m, --message <string>', 'Commit message')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect, [])
    .option('-p, --pause', 'Pause container during commit', true);
  verb(
    parent,
    'export',
    '[OPTIONS] CONTAINER',
    "Export a container's filesystem as a tar archive",
    handler('fs', 'exportContainer'),
  )
    .argument('<container>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT');
  if (!top) {
    verb(
      parent,
      'prune',
      '[OPTIONS]',
      'Remove all stopped containers',
      handler('system', 'containerPrune'),
    ).option('-f, --force', 'Do not prompt for confirmation');
    verb(
      parent,
      '__host',
      'CONTAINER',
      'Host a container in the background (internal)',
      handler('run', 'host'),
    ).argument('<container>');
  }
}

function imageCommands(parent: Command, top: boolean): void {
  const I = (n: string) => handler('images', n);
  verb(parent, top ? 'images' : 'ls', '[OPTIONS] [REPOSITORY[:TAG]]', 'List images', I('ls'))
    .aliases(top ? [] : ['list', 'images'])
    .argument('[repository]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', 'Format output using a custom template');
  verb(parent, top ? 'rmi' : 'rm', '[OPTIONS] IMAGE [IMAGE...]', 'Remove one or more images', I('rm'))
    .aliases(top ? [] : ['remove', 'rmi'])
    .argument('<image...>')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents');
  verb(
    parent,
    'tag',
    'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    I('tag'),
  )
    .argument('<source>')
    .argument('<target>');
  verb(parent, 'history', '[OPTIONS] IMAGE', 'Show the history of an image', I('history'))
    .argument('<image>')
    .option('-H, --human', 'Print sizes and dates in human readable format', true)
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('--format <string>', 'Format output using a custom template');
  verb(
    parent,
    'save',
    '[OPTIONS] IMAGE [IMAGE...]',
    'Save one or more images to a tar archive (streamed to STDOUT by default)',
    I('save'),
  )
    .argument('<image...>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT');
  verb(parent, 'load', '[OPTIONS]', 'Load an image from a tar archive or STDIN', I('load'))
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output');
  verb(
    parent,
    'import',
    '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
    'Import the contents from a tarball to create a filesystem image',
    I('importImage'),
  )
    .argument('<file>')
    .argument('[repository]')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect, [])
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable');
  verb(
    parent,
    'build',
    '[OPTIONS] PATH | URL | -',
    'Build an image from a Dockerfile',
    handler('build', 'build'),
  )
    .argument('<context>')
    .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect, [])
    .option('-f, --file <string>', "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
    .option('--build-arg <list>', 'Set build-time variables', collect, [])
    .option('--target <string>', 'Set the target build stage to build')
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--pull', 'Always attempt to pull all referenced images')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--progress <string>', 'Set type of progress output ("auto", "plain", "tty")', 'auto')
    .option('--label <list>', 'Set metadata for an image', collect, []);
  if (!top) {
    verb(
      parent,
      'inspect',
      '[OPTIONS] IMAGE [IMAGE...]',
      'Display detailed information on one or more images',
      handler('inspect', 'imageInspect'),
    )
      .argument('<image...>')
      .option('-f, --format <string>', 'Format output using a custom template');
    verb(parent, 'prune', '[OPTIONS]', 'Remove unused images', I('prune'))
      .option('-a, --all', 'Remove all unused images, not just dangling ones')
      .option('-f, --force', 'Do not prompt for confirmation');
  }
}

/** pull / push (also under `image`), login, logout, manifest inspect. */
function registryCommands(program: Command, image: Command): void {
  const R = (n: string) => handler('registry', n);
  for (const parent of [program, image]) {
    verb(parent, 'pull', '[OPTIONS] NAME[:TAG|@DIGEST]', 'Download an image from a registry', R('pull'))
      .argument('<name>')
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .option('-q, --quiet', 'Suppress verbose output');
    verb(parent, 'push', '[OPTIONS] NAME[:TAG]', 'Upload an image to a registry', R('push'))
      .argument('<name>')
      .option('-q, --quiet', 'Suppress verbose output');
  }
  verb(program, 'login', '[OPTIONS] [SERVER]', 'Log in to a registry', R('login'))
    .argument('[server]')
    .option('-u, --username <string>', 'Username')
    .option('-p, --password <string>', 'Password')
    .option('--password-stdin', 'Take the password from stdin');
  verb(program, 'logout', '[SERVER]', 'Log out from a registry', R('logout')).argument('[server]');
  const manifest = program.command('manifest').usage('COMMAND').description('Manage image manifests');
  verb(
    manifest,
    'inspect',
    '[OPTIONS] [MANIFEST_LIST] MANIFEST',
    'Display an image manifest',
    R('manifestInspect'),
  )
    .argument('<manifest...>')
    .option('--insecure', 'Allow communication with an insecure registry')
    .option('-v, --verbose', 'Output additional info including layers and platform');
  manifest.action(() => {
    manifest.outputHelp();
  });
}

/** The command tree; with `argv`, only the command it names is built in full (see focus). */
export function buildProgram(argv: string[] = []): Command {
  focus = focusOf(argv);
  const program = new Command('berth')
    .usage('[OPTIONS] COMMAND')
    .description('A rootless, daemonless container runtime for WebAssembly images')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: () => {},
    })
    .version(`berth version ${version}`, '-v, --version', 'Print version information and quit')
    .helpCommand(false);
  containerCommands(program, true);
  imageCommands(program, true);
  // The per-user engine process; the CLI starts it on demand (runtime/engine-server).
  verb(program, '__engine', '', 'Serve detached containers (internal)', handler('engine', 'serve'));
  const container = program.command('container').usage('COMMAND').description('Manage containers');
  containerCommands(container, false);
  const image = program.command('image').usage('COMMAND').description('Manage images');
  imageCommands(image, false);
  const S = (n: string) => handler('system', n);
  verb(program, 'version', '[OPTIONS]', 'Show the berth version information', S('version')).option(
    '-f, --format <string>',
    'Format output using a custom template',
  );
  verb(program, 'info', '[OPTIONS]', 'Display system-wide information', S('info')).option(
    '-f, --format <string>',
    'Format output using a custom template',
  );
  const system = program.command('system').usage('COMMAND').description('Manage berth');
  verb(system, 'df', '[OPTIONS]', 'Show berth disk usage', S('df'))
    .option('-v, --verbose', 'Show detailed information on space usage')
    .option('--format <string>', 'Format output using a custom template');
  verb(system, 'prune', '[OPTIONS]', 'Remove unused data', S('prune'))
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes');
  verb(system, 'info', '[OPTIONS]', 'Display system-wide information', S('info')).option(
    '-f, --format <string>',
    'Format output using a custom template',
  );
  verb(
    system,
    'service',
    '[OPTIONS] [URI]',
    'Serve the Docker Engine API (unix:///path or tcp://127.0.0.1:PORT) for Docker clients',
    handler('service', 'service'),
  )
    .argument('[uri]')
    .option('-t, --time <seconds>', 'Stop after this many idle seconds (0: serve until stopped)', '0');
  const volume = program.command('volume').usage('COMMAND').description('Manage volumes');
  const V = (n: string) => handler('volumes', n);
  verb(volume, 'create', '[OPTIONS] [VOLUME]', 'Create a volume', V('create'))
    .argument('[name]')
    .option('--name <string>', 'Specify volume name')
    .option('-d, --driver <string>', 'Specify volume driver name', 'local')
    .option('--label <list>', 'Set metadata for a volume', collect, []);
  verb(volume, 'ls', '[OPTIONS]', 'List volumes', V('ls'))
    .aliases(['list'])
    .option('-q, --quiet', 'Only display volume names')
    .option('-f, --filter <filter>', 'Provide filter values', collect, [])
    .option('--format <string>', 'Format output using a custom template');
  verb(
    volume,
    'inspect',
    '[OPTIONS] VOLUME [VOLUME...]',
    'Display detailed information on one or more volumes',
    V('inspect'),
  )
    .argument('<volume...>')
    .option('-f, --format <string>', 'Format output using a custom template');
  verb(volume, 'rm', '[OPTIONS] VOLUME [VOLUME...]', 'Remove one or more volumes', V('rm'))
    .aliases(['remove'])
    .argument('<volume...>')
    .option('-f, --force', 'Force the removal of one or more volumes');
  verb(volume, 'prune', '[OPTIONS]', 'Remove unused local volumes', V('prune'))
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('-a, --all', 'Remove all unused volumes');
  const builder = program.command('builder').usage('COMMAND').description('Manage builds');
  verb(builder, 'prune', '[OPTIONS]', 'Remove build cache', S('builderPrune')).option(
    '-f, --force',
    'Do not prompt for confirmation',
  );
  const network = program.command('network').usage('COMMAND').description('Manage networks');
  const N = (n: string) => handler('network', n);
  verb(network, 'create', '[OPTIONS] NETWORK', 'Create a network', N('create'))
    .argument('<name>')
    .option('-d, --driver <string>', 'Driver to manage the Network', 'bridge')
    .option('--subnet <string>', 'Subnet in CIDR format that represents a network segment')
    .option('--gateway <string>', 'IPv4 Gateway for the master subnet')
    .option('--internal', 'Restrict external access to the network')
    .option('--label <list>', 'Set metadata on a network', collect, []);
  verb(network, 'ls', '[OPTIONS]', 'List networks', N('ls'))
    .aliases(['list'])
    .option('-q, --quiet', 'Only display network IDs')
    .option('--no-trunc', 'Do not truncate the output')
    .option('-f, --filter <filter>', 'Provide filter values', collect, [])
    .option('--format <string>', 'Format output using a custom template');
  verb(
    network,
    'inspect',
    '[OPTIONS] NETWORK [NETWORK...]',
    'Display detailed information on one or more networks',
    N('inspect'),
  )
    .argument('<network...>')
    .option('-f, --format <string>', 'Format output using a custom template');
  verb(network, 'rm', 'NETWORK [NETWORK...]', 'Remove one or more networks', N('rm'))
    .aliases(['remove'])
    .argument('<network...>');
  verb(network, 'connect', '[OPTIONS] NETWORK CONTAINER', 'Connect a container to a network', N('connect'))
    .argument('<network>')
    .argument('<container>')
    .option('--alias <list>', 'Add network-scoped alias for the container', collect, []);
  verb(
    network,
    'disconnect',
    '[OPTIONS] NETWORK CONTAINER',
    'Disconnect a container from a network',
    N('disconnect'),
  )
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'Force the container to disconnect from a network');
  verb(network, 'prune', '[OPTIONS]', 'Remove all unused networks', N('prune')).option(
    '-f, --force',
    'Do not prompt for confirmation',
  );
  registryCommands(program, image);
  for (const group of [container, image, system, volume, network, builder]) {
    group.action(() => {
      group.outputHelp();
    });
  }
  program.action(() => {
    program.outputHelp();
  });
  return program;
}

function commandPath(cmd: Command | undefined): string {
  const names: string[] = [];
  for (let c = cmd; c; c = c.parent ?? undefined) names.unshift(c.name());
  return names.join(' ');
}

function usageError(err: CommanderError, program: Command, argv: string[]): string {
  let cmd: Command = program;
  for (const a of argv) {
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
  }
  const path = commandPath(cmd);
  const see = `See '${path} --help'.`;
  const m = /'([^']+)'/.exec(err.message);
  switch (err.code) {
    case 'commander.unknownOption':
      return `unknown flag: ${m?.[1] ?? err.message}\n${see}`;
    case 'commander.unknownCommand':
      return `'${m?.[1]}' is not a berth command.\n${see}`;
    case 'commander.missingArgument':
      return `"${path}" requires at least 1 argument.\n${see}\n\nUsage:  ${path} ${cmd.usage()}\n\n${cmd.description()}`;
    case 'commander.excessArguments':
      return `"${path}" accepts no more arguments than its usage allows.\n${see}\n\nUsage:  ${path} ${cmd.usage()}`;
    case 'commander.optionMissingArgument':
      return `flag needs an argument: ${m?.[1] ?? err.message}\n${see}`;
    default:
      return `${err.message.replace(/^error: /, '')}\n${see}`;
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      ) {
        process.exitCode = 0;
        return;
      }
      process.stderr.write(`berth: ${usageError(e, program, argv)}\n`);
      process.exitCode = 125;
      return;
    }
    const { reportError } = await import('./commands/context.ts');
    process.exitCode = reportError(e);
  }
}
