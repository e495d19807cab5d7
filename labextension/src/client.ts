/**
 * One kernel's side of the `jupyter_awsrole` comm: the pushed role, and requests with replies.
 *
 * The messages are those of ./protocol (generated from the kernel's jupyter_awsrole/protocol.py).
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IConsolePush,
  IForgetPush,
  ILoginInfo,
  ILoginPush,
  IProblemInfo,
  IProvenancePush,
  IReply,
  IRoleInfo,
  IRolePush,
  ISharingInfo,
  Request,
  TARGET
} from './protocol';

import { isWebLink } from './links';

export { TARGET } from './protocol';
const LOAD_CODE = '%load_ext jupyter_awsrole';
const REPLY_TIMEOUT_MS = 120_000;
const ASSUME_TIMEOUT_MS = 20 * 60_000; // an assume may wait for an SSO sign-in to be approved
const COMM_WAIT_MS = 10_000;

/** An error whose message is the kernel's own one-line words. */
export class RoleError extends Error {
  constructor(
    message: string,
    readonly needsCode = false
  ) {
    super(message);
  }
}

let counter = 0;
function nextId(): string {
  counter += 1;
  return `awsrole-${Date.now().toString(36)}-${counter}`;
}

/**
 * Follows the kernel of one session context through restarts and changes of kernel.
 *
 * The kernel opens a comm to us when it loads the extension; we also open one at every
 * (re)connection, which the kernel closes at once when the extension is not loaded.
 */
export class RoleClient implements IDisposable {
  constructor(readonly sessionContext: ISessionContext) {
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    sessionContext.statusChanged.connect(this._onStatus, this);
    sessionContext.connectionStatusChanged.connect(this._onConnection, this);
    sessionContext.sessionChanged.connect(this._sync, this);
    this._sync();
  }

  /** Emitted whenever the state, problem or availability changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the kernel asks the notebook to forget its remembered profile (`%awsrole --forget`). */
  get forgetAsked(): ISignal<this, void> {
    return this._forgetAsked;
  }

  /** Emitted with `%awsrole --provenance on|off`'s choice, for the notebook to keep in its metadata. */
  get provenanceAsked(): ISignal<this, boolean> {
    return this._provenanceAsked;
  }

  /** Emitted when `%awsrole --console` offers a console sign-in link (passed on, never kept here). */
  get consoleOffered(): ISignal<this, IConsolePush> {
    return this._consoleOffered;
  }

  /** The active role, or null. */
  get state(): IRoleInfo | null {
    return this._state;
  }

  /** Why the kernel could not renew the role, or null. */
  get problem(): IProblemInfo | null {
    return this._problem;
  }

  /** The Dask clusters the kernel shares its role with, or null when none. */
  get sharing(): ISharingInfo | null {
    return this._sharing;
  }

  /** An SSO sign-in the kernel waits for (its link and code), or null. */
  get login(): ILoginInfo | null {
    return this._login;
  }

  /** Whether the kernel has the extension loaded (a comm is open). */
  get available(): boolean {
    return this._comms.size > 0;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._reset('disposed');
    Signal.clearData(this);
  }

  /** Send one request; loads the extension in the kernel first if it is not loaded. */
  async request(body: Request): Promise<IReply> {
    const comm = await this._ensureComm();
    const id = nextId();
    const pending = new PromiseDelegate<IReply>();
    this._pending.set(id, pending);
    const timer = setTimeout(
      () => {
        if (this._pending.delete(id)) {
          pending.reject(new RoleError('The kernel did not answer in time.'));
        }
      },
      body.request === 'assume' ? ASSUME_TIMEOUT_MS : REPLY_TIMEOUT_MS
    );
    try {
      comm.send({ ...body, id });
      const reply = await pending.promise;
      if (reply.role !== undefined && reply.ok) {
        this._setState(reply.role ?? null, reply.problem ?? null);
      }
      return reply;
    } finally {
      clearTimeout(timer);
      this._pending.delete(id);
    }
  }

  /** Like `request`, but a reply with ok false becomes a RoleError. */
  async call(body: Request): Promise<IReply> {
    const reply = await this.request(body);
    if (!reply.ok) {
      throw new RoleError(reply.error || 'The kernel refused.', !!reply.needs_code);
    }
    return reply;
  }

  // -- kernel life ------------------------------------------------------------------

  private _onKernelChanged(
    _sender: ISessionContext,
    change: { newValue: Kernel.IKernelConnection | null }
  ): void {
    this._attachKernel(change.newValue);
  }

  /** Follow the session's current kernel, whichever signal told of it (or none did). */
  private _sync(): void {
    if (!this._disposed) {
      this._attachKernel(this.sessionContext.session?.kernel ?? null);
    }
  }

  private _onStatus(_sender: ISessionContext, status: Kernel.Status): void {
    this._sync();
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      this._reset('The kernel restarted.');
      this._probed = false;
    } else if (status === 'idle' && !this._probed) {
      this._probe();
    }
  }

  private _onConnection(_sender: ISessionContext, status: Kernel.ConnectionStatus): void {
    this._sync();
    if (status === 'connected') {
      if (!this._probed) {
        void this._probe();
      }
    } else {
      // Comms do not survive a reconnection: ask again once connected.
      this._probed = false;
    }
  }

  private _attachKernel(kernel: Kernel.IKernelConnection | null): void {
    if (kernel === this._kernel) {
      return;
    }
    if (this._kernel && !this._kernel.isDisposed) {
      try {
        this._kernel.removeCommTarget(TARGET, this._onCommOpened);
      } catch {
        // the old kernel is gone
      }
    }
    this._reset('The kernel changed.');
    this._kernel = kernel;
    this._probed = false;
    if (!kernel) {
      return;
    }
    kernel.registerCommTarget(TARGET, this._onCommOpened);
    void this._probe();
  }

  /** Open a comm towards the kernel: it answers with the role, or closes it when not loaded. */
  private _probe(): void {
    const kernel = this._kernel;
    if (!kernel || kernel.isDisposed || this._disposed || this._comms.size > 0) {
      return;
    }
    if (kernel.connectionStatus !== 'connected') {
      return;
    }
    if (!['idle', 'busy'].includes(kernel.status)) {
      return;
    }
    this._probed = true;
    try {
      const comm = kernel.createComm(TARGET);
      this._adopt(comm);
      comm.open({}).done.catch(() => undefined);
    } catch {
      // refused at once: the extension is not loaded
    }
  }

  private _onCommOpened = (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void => {
    if (this._kernel === null || this._disposed) {
      comm.close();
      return;
    }
    this._adopt(comm);
    this._received(msg.content.data);
    // Speak once, so the kernel knows a front end listens on the comm it opened (headless runs never answer).
    comm.send({ request: 'role' });
  };

  private _adopt(comm: Kernel.IComm): void {
    const kernel = this._kernel;
    comm.onMsg = msg => {
      if (kernel === this._kernel) {
        this._received(msg.content.data);
      }
    };
    comm.onClose = () => {
      this._candidates.delete(comm);
      const had = this._comms.delete(comm);
      if (had && kernel === this._kernel && this._comms.size === 0) {
        this._setState(null, null);
      }
    };
    // A comm counts as open once the kernel speaks on it (a comm to a missing target is closed at once).
    this._candidates.add(comm);
  }

  private _received(message: unknown): void {
    if (!message || typeof message !== 'object') {
      return;
    }
    const data = message as Partial<
      IRolePush | IForgetPush | ILoginPush | IProvenancePush | IConsolePush
    > &
      Partial<IReply>;
    for (const comm of this._candidates) {
      if (!comm.isDisposed) {
        this._comms.add(comm);
      }
    }
    this._candidates.clear();
    if (this._commWaiter) {
      this._commWaiter.resolve();
      this._commWaiter = null;
    }
    if (data.event === 'role') {
      this._sharing = data.sharing ?? null;
      this._setState(data.role ?? null, data.problem ?? null, true);
      return;
    }
    if (data.event === 'sso-login') {
      this._login = data.login ?? null;
      this._changed.emit();
      return;
    }
    if (data.event === 'forget') {
      this._forgetAsked.emit();
      return;
    }
    if (data.event === 'provenance') {
      if (typeof data.on === 'boolean') {
        this._provenanceAsked.emit(data.on);
      }
      return;
    }
    if (data.event === 'console') {
      const push = data as Partial<IConsolePush>;
      // Every comm of the kernel carries the push: offer it once (told apart by what is no secret).
      const seen = `${push.profile} ${push.expires_at}`;
      if (typeof push.url === 'string' && isWebLink(push.url) && seen !== this._lastConsole) {
        this._lastConsole = seen;
        this._consoleOffered.emit(push as IConsolePush);
      }
      return;
    }
    // Our requests' ids are strings; a reply to anything else (or to nothing) is not ours.
    if (typeof data.id === 'string' && this._pending.has(data.id)) {
      this._pending.get(data.id)!.resolve(data as IReply);
    }
  }

  private _setState(state: IRoleInfo | null, problem: IProblemInfo | null, force = false): void {
    const before = JSON.stringify([this._state, this._problem, this._lastAvailable]);
    this._state = state;
    this._problem = problem;
    this._lastAvailable = this.available;
    if (force || before !== JSON.stringify([this._state, this._problem, this._lastAvailable])) {
      this._changed.emit();
    }
  }

  private _reset(reason: string): void {
    for (const comm of [...this._comms, ...this._candidates]) {
      comm.onMsg = () => undefined;
      comm.onClose = () => undefined;
      if (!comm.isDisposed) {
        comm.dispose();
      }
    }
    this._comms.clear();
    this._candidates.clear();
    for (const pending of this._pending.values()) {
      pending.reject(new RoleError(reason));
    }
    this._pending.clear();
    this._sharing = null;
    this._login = null;
    this._setState(null, null);
  }

  /** An open comm, loading the extension into the kernel if needed. */
  private async _ensureComm(): Promise<Kernel.IComm> {
    this._sync();
    const first = this._firstComm();
    if (first) {
      return first;
    }
    if (!this._kernel) {
      // Clicked before the notebook's kernel started: wait for it.
      await this.sessionContext.ready;
      this._sync();
    }
    const kernel = this._kernel;
    if (!kernel) {
      throw new RoleError('This notebook has no kernel.');
    }
    await kernel.info;
    if (this._firstComm()) {
      return this._firstComm()!;
    }
    const waiter = new PromiseDelegate<void>();
    this._commWaiter = waiter;
    const reply = await kernel.requestExecute({
      code: LOAD_CODE,
      silent: true,
      store_history: false
    }).done;
    if (reply.content.status !== 'ok') {
      const content = reply.content as Partial<KernelMessage.IReplyErrorContent>;
      throw new RoleError(
        `Could not load jupyter_awsrole in this kernel: ${content.ename ?? 'error'}: ${content.evalue ?? ''}`.trim()
      );
    }
    if (!this._firstComm()) {
      // The kernel opens a comm to us when it loads; if it was loaded before, open our own.
      this._probe();
      await Promise.race([
        waiter.promise,
        new Promise(resolve => setTimeout(resolve, COMM_WAIT_MS))
      ]);
    }
    const comm = this._firstComm();
    if (!comm) {
      throw new RoleError('The kernel did not open the jupyter_awsrole comm.');
    }
    return comm;
  }

  private _firstComm(): Kernel.IComm | null {
    for (const comm of this._comms) {
      if (!comm.isDisposed) {
        return comm;
      }
    }
    return null;
  }

  private _kernel: Kernel.IKernelConnection | null = null;
  private _comms = new Set<Kernel.IComm>();
  private _candidates = new Set<Kernel.IComm>();
  private _pending = new Map<string, PromiseDelegate<IReply>>();
  private _commWaiter: PromiseDelegate<void> | null = null;
  private _state: IRoleInfo | null = null;
  private _problem: IProblemInfo | null = null;
  private _sharing: ISharingInfo | null = null;
  private _login: ILoginInfo | null = null;
  private _lastAvailable = false;
  private _probed = false;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _forgetAsked = new Signal<this, void>(this);
  private _provenanceAsked = new Signal<this, boolean>(this);
  private _consoleOffered = new Signal<this, IConsolePush>(this);
  private _lastConsole = '';
}
