/**
 * A dry run: reads run for real on the inner backend (so the plan follows the branches a real deploy would
 * take), writes and uploads are only recorded and answered with a synthetic success.
 */
import { render } from '../shell/command.js';
export class DryRunBackend {
    inner;
    #recorded = new Map();
    constructor(inner) {
        this.inner = inner;
    }
    exec(host, command, options = {}) {
        if (command.effect === 'read')
            return this.inner.exec(host, command, options);
        this.#record(host, {
            kind: 'exec',
            command: render(command),
            ...(command.description !== undefined ? { description: command.description } : {}),
            ...(options.step !== undefined ? { step: options.step } : {}),
        });
        return Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 });
    }
    upload(host, localPath, remotePath, options = {}) {
        this.#record(host, {
            kind: 'upload',
            localPath,
            remotePath,
            ...(options.step !== undefined ? { step: options.step } : {}),
        });
        return Promise.resolve();
    }
    /** What would have changed, per host in the order hosts were first touched, actions in order. */
    plan() {
        return [...this.#recorded].map(([host, actions]) => ({ host, actions: [...actions] }));
    }
    close() {
        return this.inner.close();
    }
    #record(host, action) {
        const list = this.#recorded.get(host.name);
        if (list)
            list.push(action);
        else
            this.#recorded.set(host.name, [action]);
    }
}
//# sourceMappingURL=dry-run.js.map