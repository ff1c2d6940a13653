// The browser SDK (Twilio.TaskRouter.*) the server serves at /sdk/taskrouter.js, loaded once on demand.
export interface SdkEmitter {
  on(event: string, listener: (payload: any) => void): unknown;
  removeAllListeners?(event?: string): unknown;
  disconnect?(): void;
}

declare global {
  interface Window {
    Twilio?: { TaskRouter: { Workspace: new (token: string) => SdkEmitter; Worker: new (token: string) => SdkEmitter & Record<string, any> } };
  }
}

let loading: Promise<NonNullable<Window['Twilio']>['TaskRouter']> | undefined;

export function taskRouterSdk(): Promise<NonNullable<Window['Twilio']>['TaskRouter']> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/sdk/taskrouter.js';
    script.onload = () => (window.Twilio ? resolve(window.Twilio.TaskRouter) : reject(new Error('taskrouter.js did not load')));
    script.onerror = () => reject(new Error('taskrouter.js did not load'));
    document.head.appendChild(script);
  });
  return loading;
}
