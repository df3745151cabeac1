// A typed task module. Put it in deploy/tasks/ next to deploy.yml (or list it under `modules:`); deploy loads
// .ts files on any Node it supports. `npm install --save-dev deploy` in the project gives the editor the types.
import { defineTasks, type TaskInput } from 'deploy';

const marker = ({ host, release, paths }: TaskInput): string => `${release ? release.dir : paths.current}/.notified-${host.name}`;

export default defineTasks(({ script, write, and, secret }) => ({
  'notify:chat': {
    description: 'Tell the team which release went live',
    roles: ['web'],
    once: true,
    commands: (input) => [
      and(
        [write(['mkdir', '-p', `${input.paths.shared}/notes`]), script('echo "deployed $DEPLOY_RELEASE to $DEPLOY_STAGE" >> notes/log')],
        {
          cwd: input.paths.shared,
          env: { CHAT_TOKEN: secret(process.env.CHAT_TOKEN ?? 'unset', 'CHAT_TOKEN') },
        },
      ),
      write(['touch', marker(input)]),
    ],
  },
  'cache:warm': {
    description: 'Ask the app once so that its caches fill',
    run: 'curl -fsS "http://$DEPLOY_ADDRESS:3000/" >/dev/null',
    roles: ['web'],
    cwd: 'current',
  },
}));
