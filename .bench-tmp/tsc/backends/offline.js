/**
 * For `deploy plan`: touches no host. Every command "succeeds" with empty output, so facts read as
 * "nothing there yet"; the plan says so.
 */
export class OfflineBackend {
    exec() {
        return Promise.resolve({ code: 0, stdout: '', stderr: '', durationMs: 0 });
    }
    upload() {
        return Promise.resolve();
    }
    close() {
        return Promise.resolve();
    }
}
//# sourceMappingURL=offline.js.map