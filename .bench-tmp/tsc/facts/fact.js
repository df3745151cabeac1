import { DeployError } from '../errors.js';
export function fact(command, parse) {
    if (command.effect !== 'read')
        throw new Error(`a fact must be a read command: ${command.description ?? ''}`);
    return Object.freeze({ command, parse });
}
/** A host printed something a parser cannot make sense of. */
export class FactParseError extends DeployError {
    fact;
    output;
    constructor(fact, message, output) {
        super(`${fact}: ${message}`);
        this.fact = fact;
        this.output = output;
    }
}
/** Output lines without the trailing empty line and without `\r` (some hosts' tools print CRLF). */
export const lines = (stdout) => stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l, i, all) => !(l === '' && i === all.length - 1));
//# sourceMappingURL=fact.js.map