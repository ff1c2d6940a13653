// A page-side client that speaks the legacy taskrouter.js v1 channel protocol exactly as Twilio's v1.21 bundle
// does (its ApiRequester, EventBridgeClient, TaskRouterEventBridgeClient, Resource and ListResource modules),
// for the browser tests: that bundle is not on npm, and tests cannot fetch it. Only the requests matter here,
// so results are the raw payloads; what the bundle sends, and how, is reproduced:
//
//   * every API call is an XMLHttpRequest POST to {eventBridgeBaseUrl}/v1/wschannels/{account_sid}/{channel}
//     with overrideMimeType('application/json'), a 5 s timeout, and a JSON *string* body (so the browser sends
//     text/plain;charset=UTF-8: a "simple" cross-origin request, no preflight) {url, method, params?, token,
//     event_type?}; 200 is success ({payload, event_type?}, the event_type also emitted), anything else calls
//     back with {code: HTTP status, message: statusText};
//   * URLs are absolute: {apiBaseUrl}/Workspaces/{WS}..., and the Workspace client's own URL (its ready,
//     fetch, update and delete) is the workspace URL with a trailing slash (readyPath "/");
//   * the socket is new WebSocket(channelUrl.replace("https", "wss") + "?token=" + token +
//     "&closeExistingSessions=false"); when it opens, the client posts {url: resourceUrl, method: GET,
//     event_type: "ready", token} and emits `connected`;
//   * a list answer (meta.key) has data, page, pageSize, hasNext/next(cb) and hasPrevious/previous(cb), next
//     and previous posting {url: meta.next_page_url | meta.previous_page_url, method: GET, token} as given;
//   * update(params) sends object values as JSON text; create(params) sends params as they are.
(function () {
  function decode(token) {
    var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    while (part.length % 4) part += '=';
    return JSON.parse(atob(part));
  }

  function Requester(channelUrl, emit) {
    this.channelUrl = channelUrl;
    this.emit = emit;
  }
  Requester.prototype.post = function (request, completion) {
    var xhr = new XMLHttpRequest();
    xhr.overrideMimeType('application/json');
    xhr.open('POST', this.channelUrl, true);
    var emit = this.emit;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      if (xhr.status === 200) {
        var answer = JSON.parse(xhr.responseText);
        if (answer.event_type) emit(answer.event_type, answer.payload);
        if (completion) completion(null, answer.payload);
      } else if (completion) {
        completion({ code: xhr.status, message: xhr.statusText }, null);
      }
    };
    xhr.timeout = 5000;
    xhr.send(JSON.stringify(request));
  };

  function listEntity(requester, token, payload) {
    var meta = payload.meta;
    var list = { data: payload[meta.key], page: meta.page, pageSize: meta.page_size, hasNext: !!meta.next_page_url, hasPrevious: !!meta.previous_page_url };
    if (meta.next_page_url) {
      list.next = function (completion) {
        requester.post({ url: meta.next_page_url, method: 'GET', token: token }, wrap(requester, token, completion));
      };
    }
    if (meta.previous_page_url) {
      list.previous = function (completion) {
        requester.post({ url: meta.previous_page_url, method: 'GET', token: token }, wrap(requester, token, completion));
      };
    }
    return list;
  }

  function wrap(requester, token, completion) {
    return function (error, payload) {
      if (error) return completion(error, null);
      completion(null, payload && payload.meta && payload.meta.key ? listEntity(requester, token, payload) : payload);
    };
  }

  function ListResource(requester, token, url) {
    this.requester = requester;
    this.token = token;
    this.resourceUrl = url;
  }
  ListResource.prototype.fetch = function (arg0, arg1) {
    if (typeof arg0 === 'string') {
      return this.requester.post({ url: this.resourceUrl + '/' + arg0, method: 'GET', token: this.token }, wrap(this.requester, this.token, arg1));
    }
    var completion = typeof arg0 === 'function' ? arg0 : arg1;
    var request = { url: this.resourceUrl, method: 'GET', token: this.token };
    if (typeof arg0 === 'object') request.params = arg0;
    this.requester.post(request, wrap(this.requester, this.token, completion));
  };
  ListResource.prototype.create = function (params, completion) {
    this.requester.post({ url: this.resourceUrl, method: 'POST', params: params, token: this.token }, wrap(this.requester, this.token, completion));
  };

  function Workspace(token, apiBaseUrl, eventBridgeBaseUrl) {
    var jwt = decode(token);
    var self = this;
    this.listeners = {};
    this.token = token;
    this.workspaceUrl = apiBaseUrl + '/Workspaces/' + jwt.workspace_sid;
    this.resourceUrl = this.workspaceUrl + '/';
    this.channelUrl = eventBridgeBaseUrl + '/v1/wschannels/' + jwt.account_sid + '/' + jwt.channel;
    this.requester = new Requester(this.channelUrl, function (type, payload) {
      self.emit(type, payload);
    });
    var lists = { activities: 'Activities', workflows: 'Workflows', taskqueues: 'TaskQueues', workers: 'Workers', tasks: 'Tasks' };
    Object.keys(lists).forEach(function (name) {
      self[name] = new ListResource(self.requester, token, self.workspaceUrl + '/' + lists[name]);
    });
    var ws = new WebSocket(this.channelUrl.replace('https', 'wss') + '?token=' + token + '&closeExistingSessions=false');
    ws.onopen = function () {
      self.requester.post({ url: self.resourceUrl, method: 'GET', event_type: 'ready', token: token });
      self.emit('connected');
    };
    ws.onmessage = function (response) {
      if (response.data.trim().length === 0) return;
      var json = JSON.parse(response.data);
      self.emit(json.event_type, json.payload);
    };
    this.socket = ws;
  }
  Workspace.prototype.on = function (type, listener) {
    (this.listeners[type] = this.listeners[type] || []).push(listener);
  };
  Workspace.prototype.emit = function (type, payload) {
    (this.listeners[type] || []).forEach(function (listener) {
      listener(payload);
    });
  };
  Workspace.prototype.fetch = function (completion) {
    this.requester.post({ url: this.resourceUrl, method: 'GET', token: this.token }, completion);
  };
  Workspace.prototype.update = function (params, completion) {
    for (var key in params) if (params[key] instanceof Object) params[key] = JSON.stringify(params[key]);
    this.requester.post({ url: this.resourceUrl, method: 'POST', params: params, token: this.token }, completion);
  };
  Workspace.prototype['delete'] = function (completion) {
    this.requester.post({ url: this.resourceUrl, method: 'DELETE', token: this.token }, completion);
  };
  /** A task queue's statistics, as the bundle's TaskQueue instance has them. */
  Workspace.prototype.taskqueue = function (sid) {
    var url = this.workspaceUrl + '/TaskQueues/' + sid;
    return {
      statistics: new ListResource(this.requester, this.token, url + '/Statistics'),
      realtimeStats: new ListResource(this.requester, this.token, url + '/RealTimeStatistics'),
      cumulativeStats: new ListResource(this.requester, this.token, url + '/CumulativeStatistics'),
    };
  };
  Workspace.prototype.disconnect = function () {
    this.socket.onclose = null;
    this.socket.close();
  };

  window.TaskRouterV1Protocol = { Workspace: Workspace };
})();
