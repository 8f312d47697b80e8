var __codexBedrockImport = globalThis.__codexBedrockImport || ((specifier) => import(specifier));
"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __commonJS = (cb, mod) => function __require() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// scripts/import-meta-url.cjs
var importMetaUrl;
var init_import_meta_url = __esm({
  "scripts/import-meta-url.cjs"() {
    "use strict";
    importMetaUrl = require("node:url").pathToFileURL(__filename).href;
  }
});

// node_modules/@iarna/toml/lib/parser.js
var require_parser = __commonJS({
  "node_modules/@iarna/toml/lib/parser.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    var ParserEND = 1114112;
    var ParserError = class _ParserError extends Error {
      /* istanbul ignore next */
      constructor(msg, filename, linenumber) {
        super("[ParserError] " + msg, filename, linenumber);
        this.name = "ParserError";
        this.code = "ParserError";
        if (Error.captureStackTrace) Error.captureStackTrace(this, _ParserError);
      }
    };
    var State = class {
      constructor(parser2) {
        this.parser = parser2;
        this.buf = "";
        this.returned = null;
        this.result = null;
        this.resultTable = null;
        this.resultArr = null;
      }
    };
    var Parser2 = class {
      constructor() {
        this.pos = 0;
        this.col = 0;
        this.line = 0;
        this.obj = {};
        this.ctx = this.obj;
        this.stack = [];
        this._buf = "";
        this.char = null;
        this.ii = 0;
        this.state = new State(this.parseStart);
      }
      parse(str) {
        if (str.length === 0 || str.length == null) return;
        this._buf = String(str);
        this.ii = -1;
        this.char = -1;
        let getNext;
        while (getNext === false || this.nextChar()) {
          getNext = this.runOne();
        }
        this._buf = null;
      }
      nextChar() {
        if (this.char === 10) {
          ++this.line;
          this.col = -1;
        }
        ++this.ii;
        this.char = this._buf.codePointAt(this.ii);
        ++this.pos;
        ++this.col;
        return this.haveBuffer();
      }
      haveBuffer() {
        return this.ii < this._buf.length;
      }
      runOne() {
        return this.state.parser.call(this, this.state.returned);
      }
      finish() {
        this.char = ParserEND;
        let last;
        do {
          last = this.state.parser;
          this.runOne();
        } while (this.state.parser !== last);
        this.ctx = null;
        this.state = null;
        this._buf = null;
        return this.obj;
      }
      next(fn) {
        if (typeof fn !== "function") throw new ParserError("Tried to set state to non-existent state: " + JSON.stringify(fn));
        this.state.parser = fn;
      }
      goto(fn) {
        this.next(fn);
        return this.runOne();
      }
      call(fn, returnWith) {
        if (returnWith) this.next(returnWith);
        this.stack.push(this.state);
        this.state = new State(fn);
      }
      callNow(fn, returnWith) {
        this.call(fn, returnWith);
        return this.runOne();
      }
      return(value) {
        if (this.stack.length === 0) throw this.error(new ParserError("Stack underflow"));
        if (value === void 0) value = this.state.buf;
        this.state = this.stack.pop();
        this.state.returned = value;
      }
      returnNow(value) {
        this.return(value);
        return this.runOne();
      }
      consume() {
        if (this.char === ParserEND) throw this.error(new ParserError("Unexpected end-of-buffer"));
        this.state.buf += this._buf[this.ii];
      }
      error(err) {
        err.line = this.line;
        err.col = this.col;
        err.pos = this.pos;
        return err;
      }
      /* istanbul ignore next */
      parseStart() {
        throw new ParserError("Must declare a parseStart method");
      }
    };
    Parser2.END = ParserEND;
    Parser2.Error = ParserError;
    module2.exports = Parser2;
  }
});

// node_modules/@iarna/toml/lib/create-datetime.js
var require_create_datetime = __commonJS({
  "node_modules/@iarna/toml/lib/create-datetime.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    module2.exports = (value) => {
      const date = new Date(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/format-num.js
var require_format_num = __commonJS({
  "node_modules/@iarna/toml/lib/format-num.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    module2.exports = (d, num) => {
      num = String(num);
      while (num.length < d) num = "0" + num;
      return num;
    };
  }
});

// node_modules/@iarna/toml/lib/create-datetime-float.js
var require_create_datetime_float = __commonJS({
  "node_modules/@iarna/toml/lib/create-datetime-float.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    var f = require_format_num();
    var FloatingDateTime = class extends Date {
      constructor(value) {
        super(value + "Z");
        this.isFloating = true;
      }
      toISOString() {
        const date = `${this.getUTCFullYear()}-${f(2, this.getUTCMonth() + 1)}-${f(2, this.getUTCDate())}`;
        const time = `${f(2, this.getUTCHours())}:${f(2, this.getUTCMinutes())}:${f(2, this.getUTCSeconds())}.${f(3, this.getUTCMilliseconds())}`;
        return `${date}T${time}`;
      }
    };
    module2.exports = (value) => {
      const date = new FloatingDateTime(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/create-date.js
var require_create_date = __commonJS({
  "node_modules/@iarna/toml/lib/create-date.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    var f = require_format_num();
    var DateTime = global.Date;
    var Date2 = class extends DateTime {
      constructor(value) {
        super(value);
        this.isDate = true;
      }
      toISOString() {
        return `${this.getUTCFullYear()}-${f(2, this.getUTCMonth() + 1)}-${f(2, this.getUTCDate())}`;
      }
    };
    module2.exports = (value) => {
      const date = new Date2(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/create-time.js
var require_create_time = __commonJS({
  "node_modules/@iarna/toml/lib/create-time.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    var f = require_format_num();
    var Time = class extends Date {
      constructor(value) {
        super(`0000-01-01T${value}Z`);
        this.isTime = true;
      }
      toISOString() {
        return `${f(2, this.getUTCHours())}:${f(2, this.getUTCMinutes())}:${f(2, this.getUTCSeconds())}.${f(3, this.getUTCMilliseconds())}`;
      }
    };
    module2.exports = (value) => {
      const date = new Time(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/toml-parser.js
var require_toml_parser = __commonJS({
  "node_modules/@iarna/toml/lib/toml-parser.js"(exports, module) {
    "use strict";
    init_import_meta_url();
    module.exports = makeParserClass(require_parser());
    module.exports.makeParserClass = makeParserClass;
    var TomlError = class _TomlError extends Error {
      constructor(msg) {
        super(msg);
        this.name = "TomlError";
        if (Error.captureStackTrace) Error.captureStackTrace(this, _TomlError);
        this.fromTOML = true;
        this.wrapped = null;
      }
    };
    TomlError.wrap = (err) => {
      const terr = new TomlError(err.message);
      terr.code = err.code;
      terr.wrapped = err;
      return terr;
    };
    module.exports.TomlError = TomlError;
    var createDateTime = require_create_datetime();
    var createDateTimeFloat = require_create_datetime_float();
    var createDate = require_create_date();
    var createTime = require_create_time();
    var CTRL_I = 9;
    var CTRL_J = 10;
    var CTRL_M = 13;
    var CTRL_CHAR_BOUNDARY = 31;
    var CHAR_SP = 32;
    var CHAR_QUOT = 34;
    var CHAR_NUM = 35;
    var CHAR_APOS = 39;
    var CHAR_PLUS = 43;
    var CHAR_COMMA = 44;
    var CHAR_HYPHEN = 45;
    var CHAR_PERIOD = 46;
    var CHAR_0 = 48;
    var CHAR_1 = 49;
    var CHAR_7 = 55;
    var CHAR_9 = 57;
    var CHAR_COLON = 58;
    var CHAR_EQUALS = 61;
    var CHAR_A = 65;
    var CHAR_E = 69;
    var CHAR_F = 70;
    var CHAR_T = 84;
    var CHAR_U = 85;
    var CHAR_Z = 90;
    var CHAR_LOWBAR = 95;
    var CHAR_a = 97;
    var CHAR_b = 98;
    var CHAR_e = 101;
    var CHAR_f = 102;
    var CHAR_i = 105;
    var CHAR_l = 108;
    var CHAR_n = 110;
    var CHAR_o = 111;
    var CHAR_r = 114;
    var CHAR_s = 115;
    var CHAR_t = 116;
    var CHAR_u = 117;
    var CHAR_x = 120;
    var CHAR_z = 122;
    var CHAR_LCUB = 123;
    var CHAR_RCUB = 125;
    var CHAR_LSQB = 91;
    var CHAR_BSOL = 92;
    var CHAR_RSQB = 93;
    var CHAR_DEL = 127;
    var SURROGATE_FIRST = 55296;
    var SURROGATE_LAST = 57343;
    var escapes = {
      [CHAR_b]: "\b",
      [CHAR_t]: "	",
      [CHAR_n]: "\n",
      [CHAR_f]: "\f",
      [CHAR_r]: "\r",
      [CHAR_QUOT]: '"',
      [CHAR_BSOL]: "\\"
    };
    function isDigit(cp) {
      return cp >= CHAR_0 && cp <= CHAR_9;
    }
    function isHexit(cp) {
      return cp >= CHAR_A && cp <= CHAR_F || cp >= CHAR_a && cp <= CHAR_f || cp >= CHAR_0 && cp <= CHAR_9;
    }
    function isBit(cp) {
      return cp === CHAR_1 || cp === CHAR_0;
    }
    function isOctit(cp) {
      return cp >= CHAR_0 && cp <= CHAR_7;
    }
    function isAlphaNumQuoteHyphen(cp) {
      return cp >= CHAR_A && cp <= CHAR_Z || cp >= CHAR_a && cp <= CHAR_z || cp >= CHAR_0 && cp <= CHAR_9 || cp === CHAR_APOS || cp === CHAR_QUOT || cp === CHAR_LOWBAR || cp === CHAR_HYPHEN;
    }
    function isAlphaNumHyphen(cp) {
      return cp >= CHAR_A && cp <= CHAR_Z || cp >= CHAR_a && cp <= CHAR_z || cp >= CHAR_0 && cp <= CHAR_9 || cp === CHAR_LOWBAR || cp === CHAR_HYPHEN;
    }
    var _type = /* @__PURE__ */ Symbol("type");
    var _declared = /* @__PURE__ */ Symbol("declared");
    var hasOwnProperty = Object.prototype.hasOwnProperty;
    var defineProperty = Object.defineProperty;
    var descriptor = { configurable: true, enumerable: true, writable: true, value: void 0 };
    function hasKey(obj, key) {
      if (hasOwnProperty.call(obj, key)) return true;
      if (key === "__proto__") defineProperty(obj, "__proto__", descriptor);
      return false;
    }
    var INLINE_TABLE = /* @__PURE__ */ Symbol("inline-table");
    function InlineTable() {
      return Object.defineProperties({}, {
        [_type]: { value: INLINE_TABLE }
      });
    }
    function isInlineTable(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === INLINE_TABLE;
    }
    var TABLE = /* @__PURE__ */ Symbol("table");
    function Table() {
      return Object.defineProperties({}, {
        [_type]: { value: TABLE },
        [_declared]: { value: false, writable: true }
      });
    }
    function isTable(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === TABLE;
    }
    var _contentType = /* @__PURE__ */ Symbol("content-type");
    var INLINE_LIST = /* @__PURE__ */ Symbol("inline-list");
    function InlineList(type2) {
      return Object.defineProperties([], {
        [_type]: { value: INLINE_LIST },
        [_contentType]: { value: type2 }
      });
    }
    function isInlineList(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === INLINE_LIST;
    }
    var LIST = /* @__PURE__ */ Symbol("list");
    function List() {
      return Object.defineProperties([], {
        [_type]: { value: LIST }
      });
    }
    function isList(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === LIST;
    }
    var _custom;
    try {
      const utilInspect = eval("require('util').inspect");
      _custom = utilInspect.custom;
    } catch (_) {
    }
    var _inspect = _custom || "inspect";
    var BoxedBigInt = class {
      constructor(value) {
        try {
          this.value = global.BigInt.asIntN(64, value);
        } catch (_) {
          this.value = null;
        }
        Object.defineProperty(this, _type, { value: INTEGER });
      }
      isNaN() {
        return this.value === null;
      }
      /* istanbul ignore next */
      toString() {
        return String(this.value);
      }
      /* istanbul ignore next */
      [_inspect]() {
        return `[BigInt: ${this.toString()}]}`;
      }
      valueOf() {
        return this.value;
      }
    };
    var INTEGER = /* @__PURE__ */ Symbol("integer");
    function Integer(value) {
      let num = Number(value);
      if (Object.is(num, -0)) num = 0;
      if (global.BigInt && !Number.isSafeInteger(num)) {
        return new BoxedBigInt(value);
      } else {
        return Object.defineProperties(new Number(num), {
          isNaN: { value: function() {
            return isNaN(this);
          } },
          [_type]: { value: INTEGER },
          [_inspect]: { value: () => `[Integer: ${value}]` }
        });
      }
    }
    function isInteger(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === INTEGER;
    }
    var FLOAT = /* @__PURE__ */ Symbol("float");
    function Float(value) {
      return Object.defineProperties(new Number(value), {
        [_type]: { value: FLOAT },
        [_inspect]: { value: () => `[Float: ${value}]` }
      });
    }
    function isFloat(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === FLOAT;
    }
    function tomlType(value) {
      const type2 = typeof value;
      if (type2 === "object") {
        if (value === null) return "null";
        if (value instanceof Date) return "datetime";
        if (_type in value) {
          switch (value[_type]) {
            case INLINE_TABLE:
              return "inline-table";
            case INLINE_LIST:
              return "inline-list";
            /* istanbul ignore next */
            case TABLE:
              return "table";
            /* istanbul ignore next */
            case LIST:
              return "list";
            case FLOAT:
              return "float";
            case INTEGER:
              return "integer";
          }
        }
      }
      return type2;
    }
    function makeParserClass(Parser2) {
      class TOMLParser extends Parser2 {
        constructor() {
          super();
          this.ctx = this.obj = Table();
        }
        /* MATCH HELPER */
        atEndOfWord() {
          return this.char === CHAR_NUM || this.char === CTRL_I || this.char === CHAR_SP || this.atEndOfLine();
        }
        atEndOfLine() {
          return this.char === Parser2.END || this.char === CTRL_J || this.char === CTRL_M;
        }
        parseStart() {
          if (this.char === Parser2.END) {
            return null;
          } else if (this.char === CHAR_LSQB) {
            return this.call(this.parseTableOrList);
          } else if (this.char === CHAR_NUM) {
            return this.call(this.parseComment);
          } else if (this.char === CTRL_J || this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M) {
            return null;
          } else if (isAlphaNumQuoteHyphen(this.char)) {
            return this.callNow(this.parseAssignStatement);
          } else {
            throw this.error(new TomlError(`Unknown character "${this.char}"`));
          }
        }
        // HELPER, this strips any whitespace and comments to the end of the line
        // then RETURNS. Last state in a production.
        parseWhitespaceToEOL() {
          if (this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M) {
            return null;
          } else if (this.char === CHAR_NUM) {
            return this.goto(this.parseComment);
          } else if (this.char === Parser2.END || this.char === CTRL_J) {
            return this.return();
          } else {
            throw this.error(new TomlError("Unexpected character, expected only whitespace or comments till end of line"));
          }
        }
        /* ASSIGNMENT: key = value */
        parseAssignStatement() {
          return this.callNow(this.parseAssign, this.recordAssignStatement);
        }
        recordAssignStatement(kv) {
          let target = this.ctx;
          let finalKey = kv.key.pop();
          for (let kw of kv.key) {
            if (hasKey(target, kw) && !isTable(target[kw])) {
              throw this.error(new TomlError("Can't redefine existing key"));
            }
            target = target[kw] = target[kw] || Table();
          }
          if (hasKey(target, finalKey)) {
            throw this.error(new TomlError("Can't redefine existing key"));
          }
          target[_declared] = true;
          if (isInteger(kv.value) || isFloat(kv.value)) {
            target[finalKey] = kv.value.valueOf();
          } else {
            target[finalKey] = kv.value;
          }
          return this.goto(this.parseWhitespaceToEOL);
        }
        /* ASSSIGNMENT expression, key = value possibly inside an inline table */
        parseAssign() {
          return this.callNow(this.parseKeyword, this.recordAssignKeyword);
        }
        recordAssignKeyword(key) {
          if (this.state.resultTable) {
            this.state.resultTable.push(key);
          } else {
            this.state.resultTable = [key];
          }
          return this.goto(this.parseAssignKeywordPreDot);
        }
        parseAssignKeywordPreDot() {
          if (this.char === CHAR_PERIOD) {
            return this.next(this.parseAssignKeywordPostDot);
          } else if (this.char !== CHAR_SP && this.char !== CTRL_I) {
            return this.goto(this.parseAssignEqual);
          }
        }
        parseAssignKeywordPostDot() {
          if (this.char !== CHAR_SP && this.char !== CTRL_I) {
            return this.callNow(this.parseKeyword, this.recordAssignKeyword);
          }
        }
        parseAssignEqual() {
          if (this.char === CHAR_EQUALS) {
            return this.next(this.parseAssignPreValue);
          } else {
            throw this.error(new TomlError('Invalid character, expected "="'));
          }
        }
        parseAssignPreValue() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else {
            return this.callNow(this.parseValue, this.recordAssignValue);
          }
        }
        recordAssignValue(value) {
          return this.returnNow({ key: this.state.resultTable, value });
        }
        /* COMMENTS: #...eol */
        parseComment() {
          do {
            if (this.char === Parser2.END || this.char === CTRL_J) {
              return this.return();
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I) {
              throw this.errorControlCharIn("comments");
            }
          } while (this.nextChar());
        }
        /* TABLES AND LISTS, [foo] and [[foo]] */
        parseTableOrList() {
          if (this.char === CHAR_LSQB) {
            this.next(this.parseList);
          } else {
            return this.goto(this.parseTable);
          }
        }
        /* TABLE [foo.bar.baz] */
        parseTable() {
          this.ctx = this.obj;
          return this.goto(this.parseTableNext);
        }
        parseTableNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else {
            return this.callNow(this.parseKeyword, this.parseTableMore);
          }
        }
        parseTableMore(keyword) {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === CHAR_RSQB) {
            if (hasKey(this.ctx, keyword) && (!isTable(this.ctx[keyword]) || this.ctx[keyword][_declared])) {
              throw this.error(new TomlError("Can't redefine existing key"));
            } else {
              this.ctx = this.ctx[keyword] = this.ctx[keyword] || Table();
              this.ctx[_declared] = true;
            }
            return this.next(this.parseWhitespaceToEOL);
          } else if (this.char === CHAR_PERIOD) {
            if (!hasKey(this.ctx, keyword)) {
              this.ctx = this.ctx[keyword] = Table();
            } else if (isTable(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword];
            } else if (isList(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword][this.ctx[keyword].length - 1];
            } else {
              throw this.error(new TomlError("Can't redefine existing key"));
            }
            return this.next(this.parseTableNext);
          } else {
            throw this.error(new TomlError("Unexpected character, expected whitespace, . or ]"));
          }
        }
        /* LIST [[a.b.c]] */
        parseList() {
          this.ctx = this.obj;
          return this.goto(this.parseListNext);
        }
        parseListNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else {
            return this.callNow(this.parseKeyword, this.parseListMore);
          }
        }
        parseListMore(keyword) {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === CHAR_RSQB) {
            if (!hasKey(this.ctx, keyword)) {
              this.ctx[keyword] = List();
            }
            if (isInlineList(this.ctx[keyword])) {
              throw this.error(new TomlError("Can't extend an inline array"));
            } else if (isList(this.ctx[keyword])) {
              const next = Table();
              this.ctx[keyword].push(next);
              this.ctx = next;
            } else {
              throw this.error(new TomlError("Can't redefine an existing key"));
            }
            return this.next(this.parseListEnd);
          } else if (this.char === CHAR_PERIOD) {
            if (!hasKey(this.ctx, keyword)) {
              this.ctx = this.ctx[keyword] = Table();
            } else if (isInlineList(this.ctx[keyword])) {
              throw this.error(new TomlError("Can't extend an inline array"));
            } else if (isInlineTable(this.ctx[keyword])) {
              throw this.error(new TomlError("Can't extend an inline table"));
            } else if (isList(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword][this.ctx[keyword].length - 1];
            } else if (isTable(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword];
            } else {
              throw this.error(new TomlError("Can't redefine an existing key"));
            }
            return this.next(this.parseListNext);
          } else {
            throw this.error(new TomlError("Unexpected character, expected whitespace, . or ]"));
          }
        }
        parseListEnd(keyword) {
          if (this.char === CHAR_RSQB) {
            return this.next(this.parseWhitespaceToEOL);
          } else {
            throw this.error(new TomlError("Unexpected character, expected whitespace, . or ]"));
          }
        }
        /* VALUE string, number, boolean, inline list, inline object */
        parseValue() {
          if (this.char === Parser2.END) {
            throw this.error(new TomlError("Key without value"));
          } else if (this.char === CHAR_QUOT) {
            return this.next(this.parseDoubleString);
          }
          if (this.char === CHAR_APOS) {
            return this.next(this.parseSingleString);
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            return this.goto(this.parseNumberSign);
          } else if (this.char === CHAR_i) {
            return this.next(this.parseInf);
          } else if (this.char === CHAR_n) {
            return this.next(this.parseNan);
          } else if (isDigit(this.char)) {
            return this.goto(this.parseNumberOrDateTime);
          } else if (this.char === CHAR_t || this.char === CHAR_f) {
            return this.goto(this.parseBoolean);
          } else if (this.char === CHAR_LSQB) {
            return this.call(this.parseInlineList, this.recordValue);
          } else if (this.char === CHAR_LCUB) {
            return this.call(this.parseInlineTable, this.recordValue);
          } else {
            throw this.error(new TomlError("Unexpected character, expecting string, number, datetime, boolean, inline array or inline table"));
          }
        }
        recordValue(value) {
          return this.returnNow(value);
        }
        parseInf() {
          if (this.char === CHAR_n) {
            return this.next(this.parseInf2);
          } else {
            throw this.error(new TomlError('Unexpected character, expected "inf", "+inf" or "-inf"'));
          }
        }
        parseInf2() {
          if (this.char === CHAR_f) {
            if (this.state.buf === "-") {
              return this.return(-Infinity);
            } else {
              return this.return(Infinity);
            }
          } else {
            throw this.error(new TomlError('Unexpected character, expected "inf", "+inf" or "-inf"'));
          }
        }
        parseNan() {
          if (this.char === CHAR_a) {
            return this.next(this.parseNan2);
          } else {
            throw this.error(new TomlError('Unexpected character, expected "nan"'));
          }
        }
        parseNan2() {
          if (this.char === CHAR_n) {
            return this.return(NaN);
          } else {
            throw this.error(new TomlError('Unexpected character, expected "nan"'));
          }
        }
        /* KEYS, barewords or basic, literal, or dotted */
        parseKeyword() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseBasicString);
          } else if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralString);
          } else {
            return this.goto(this.parseBareKey);
          }
        }
        /* KEYS: barewords */
        parseBareKey() {
          do {
            if (this.char === Parser2.END) {
              throw this.error(new TomlError("Key ended without value"));
            } else if (isAlphaNumHyphen(this.char)) {
              this.consume();
            } else if (this.state.buf.length === 0) {
              throw this.error(new TomlError("Empty bare keys are not allowed"));
            } else {
              return this.returnNow();
            }
          } while (this.nextChar());
        }
        /* STRINGS, single quoted (literal) */
        parseSingleString() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiStringMaybe);
          } else {
            return this.goto(this.parseLiteralString);
          }
        }
        parseLiteralString() {
          do {
            if (this.char === CHAR_APOS) {
              return this.return();
            } else if (this.atEndOfLine()) {
              throw this.error(new TomlError("Unterminated string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        parseLiteralMultiStringMaybe() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiString);
          } else {
            return this.returnNow();
          }
        }
        parseLiteralMultiString() {
          if (this.char === CTRL_M) {
            return null;
          } else if (this.char === CTRL_J) {
            return this.next(this.parseLiteralMultiStringContent);
          } else {
            return this.goto(this.parseLiteralMultiStringContent);
          }
        }
        parseLiteralMultiStringContent() {
          do {
            if (this.char === CHAR_APOS) {
              return this.next(this.parseLiteralMultiEnd);
            } else if (this.char === Parser2.END) {
              throw this.error(new TomlError("Unterminated multi-line string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I && this.char !== CTRL_J && this.char !== CTRL_M) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        parseLiteralMultiEnd() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiEnd2);
          } else {
            this.state.buf += "'";
            return this.goto(this.parseLiteralMultiStringContent);
          }
        }
        parseLiteralMultiEnd2() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiEnd3);
          } else {
            this.state.buf += "''";
            return this.goto(this.parseLiteralMultiStringContent);
          }
        }
        parseLiteralMultiEnd3() {
          if (this.char === CHAR_APOS) {
            this.state.buf += "'";
            return this.next(this.parseLiteralMultiEnd4);
          } else {
            return this.returnNow();
          }
        }
        parseLiteralMultiEnd4() {
          if (this.char === CHAR_APOS) {
            this.state.buf += "'";
            return this.return();
          } else {
            return this.returnNow();
          }
        }
        /* STRINGS double quoted */
        parseDoubleString() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiStringMaybe);
          } else {
            return this.goto(this.parseBasicString);
          }
        }
        parseBasicString() {
          do {
            if (this.char === CHAR_BSOL) {
              return this.call(this.parseEscape, this.recordEscapeReplacement);
            } else if (this.char === CHAR_QUOT) {
              return this.return();
            } else if (this.atEndOfLine()) {
              throw this.error(new TomlError("Unterminated string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        recordEscapeReplacement(replacement) {
          this.state.buf += replacement;
          return this.goto(this.parseBasicString);
        }
        parseMultiStringMaybe() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiString);
          } else {
            return this.returnNow();
          }
        }
        parseMultiString() {
          if (this.char === CTRL_M) {
            return null;
          } else if (this.char === CTRL_J) {
            return this.next(this.parseMultiStringContent);
          } else {
            return this.goto(this.parseMultiStringContent);
          }
        }
        parseMultiStringContent() {
          do {
            if (this.char === CHAR_BSOL) {
              return this.call(this.parseMultiEscape, this.recordMultiEscapeReplacement);
            } else if (this.char === CHAR_QUOT) {
              return this.next(this.parseMultiEnd);
            } else if (this.char === Parser2.END) {
              throw this.error(new TomlError("Unterminated multi-line string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I && this.char !== CTRL_J && this.char !== CTRL_M) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        errorControlCharIn(type2) {
          let displayCode = "\\u00";
          if (this.char < 16) {
            displayCode += "0";
          }
          displayCode += this.char.toString(16);
          return this.error(new TomlError(`Control characters (codes < 0x1f and 0x7f) are not allowed in ${type2}, use ${displayCode} instead`));
        }
        recordMultiEscapeReplacement(replacement) {
          this.state.buf += replacement;
          return this.goto(this.parseMultiStringContent);
        }
        parseMultiEnd() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiEnd2);
          } else {
            this.state.buf += '"';
            return this.goto(this.parseMultiStringContent);
          }
        }
        parseMultiEnd2() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiEnd3);
          } else {
            this.state.buf += '""';
            return this.goto(this.parseMultiStringContent);
          }
        }
        parseMultiEnd3() {
          if (this.char === CHAR_QUOT) {
            this.state.buf += '"';
            return this.next(this.parseMultiEnd4);
          } else {
            return this.returnNow();
          }
        }
        parseMultiEnd4() {
          if (this.char === CHAR_QUOT) {
            this.state.buf += '"';
            return this.return();
          } else {
            return this.returnNow();
          }
        }
        parseMultiEscape() {
          if (this.char === CTRL_M || this.char === CTRL_J) {
            return this.next(this.parseMultiTrim);
          } else if (this.char === CHAR_SP || this.char === CTRL_I) {
            return this.next(this.parsePreMultiTrim);
          } else {
            return this.goto(this.parseEscape);
          }
        }
        parsePreMultiTrim() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === CTRL_M || this.char === CTRL_J) {
            return this.next(this.parseMultiTrim);
          } else {
            throw this.error(new TomlError("Can't escape whitespace"));
          }
        }
        parseMultiTrim() {
          if (this.char === CTRL_J || this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M) {
            return null;
          } else {
            return this.returnNow();
          }
        }
        parseEscape() {
          if (this.char in escapes) {
            return this.return(escapes[this.char]);
          } else if (this.char === CHAR_u) {
            return this.call(this.parseSmallUnicode, this.parseUnicodeReturn);
          } else if (this.char === CHAR_U) {
            return this.call(this.parseLargeUnicode, this.parseUnicodeReturn);
          } else {
            throw this.error(new TomlError("Unknown escape character: " + this.char));
          }
        }
        parseUnicodeReturn(char) {
          try {
            const codePoint = parseInt(char, 16);
            if (codePoint >= SURROGATE_FIRST && codePoint <= SURROGATE_LAST) {
              throw this.error(new TomlError("Invalid unicode, character in range 0xD800 - 0xDFFF is reserved"));
            }
            return this.returnNow(String.fromCodePoint(codePoint));
          } catch (err) {
            throw this.error(TomlError.wrap(err));
          }
        }
        parseSmallUnicode() {
          if (!isHexit(this.char)) {
            throw this.error(new TomlError("Invalid character in unicode sequence, expected hex"));
          } else {
            this.consume();
            if (this.state.buf.length >= 4) return this.return();
          }
        }
        parseLargeUnicode() {
          if (!isHexit(this.char)) {
            throw this.error(new TomlError("Invalid character in unicode sequence, expected hex"));
          } else {
            this.consume();
            if (this.state.buf.length >= 8) return this.return();
          }
        }
        /* NUMBERS */
        parseNumberSign() {
          this.consume();
          return this.next(this.parseMaybeSignedInfOrNan);
        }
        parseMaybeSignedInfOrNan() {
          if (this.char === CHAR_i) {
            return this.next(this.parseInf);
          } else if (this.char === CHAR_n) {
            return this.next(this.parseNan);
          } else {
            return this.callNow(this.parseNoUnder, this.parseNumberIntegerStart);
          }
        }
        parseNumberIntegerStart() {
          if (this.char === CHAR_0) {
            this.consume();
            return this.next(this.parseNumberIntegerExponentOrDecimal);
          } else {
            return this.goto(this.parseNumberInteger);
          }
        }
        parseNumberIntegerExponentOrDecimal() {
          if (this.char === CHAR_PERIOD) {
            this.consume();
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else {
            return this.returnNow(Integer(this.state.buf));
          }
        }
        parseNumberInteger() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder);
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else if (this.char === CHAR_PERIOD) {
            this.consume();
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        parseNoUnder() {
          if (this.char === CHAR_LOWBAR || this.char === CHAR_PERIOD || this.char === CHAR_E || this.char === CHAR_e) {
            throw this.error(new TomlError("Unexpected character, expected digit"));
          } else if (this.atEndOfWord()) {
            throw this.error(new TomlError("Incomplete number"));
          }
          return this.returnNow();
        }
        parseNoUnderHexOctBinLiteral() {
          if (this.char === CHAR_LOWBAR || this.char === CHAR_PERIOD) {
            throw this.error(new TomlError("Unexpected character, expected digit"));
          } else if (this.atEndOfWord()) {
            throw this.error(new TomlError("Incomplete number"));
          }
          return this.returnNow();
        }
        parseNumberFloat() {
          if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else if (isDigit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else {
            return this.returnNow(Float(this.state.buf));
          }
        }
        parseNumberExponentSign() {
          if (isDigit(this.char)) {
            return this.goto(this.parseNumberExponent);
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            this.consume();
            this.call(this.parseNoUnder, this.parseNumberExponent);
          } else {
            throw this.error(new TomlError("Unexpected character, expected -, + or digit"));
          }
        }
        parseNumberExponent() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder);
          } else {
            return this.returnNow(Float(this.state.buf));
          }
        }
        /* NUMBERS or DATETIMES  */
        parseNumberOrDateTime() {
          if (this.char === CHAR_0) {
            this.consume();
            return this.next(this.parseNumberBaseOrDateTime);
          } else {
            return this.goto(this.parseNumberOrDateTimeOnly);
          }
        }
        parseNumberOrDateTimeOnly() {
          if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder, this.parseNumberInteger);
          } else if (isDigit(this.char)) {
            this.consume();
            if (this.state.buf.length > 4) this.next(this.parseNumberInteger);
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else if (this.char === CHAR_PERIOD) {
            this.consume();
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else if (this.char === CHAR_HYPHEN) {
            return this.goto(this.parseDateTime);
          } else if (this.char === CHAR_COLON) {
            return this.goto(this.parseOnlyTimeHour);
          } else {
            return this.returnNow(Integer(this.state.buf));
          }
        }
        parseDateTimeOnly() {
          if (this.state.buf.length < 4) {
            if (isDigit(this.char)) {
              return this.consume();
            } else if (this.char === CHAR_COLON) {
              return this.goto(this.parseOnlyTimeHour);
            } else {
              throw this.error(new TomlError("Expected digit while parsing year part of a date"));
            }
          } else {
            if (this.char === CHAR_HYPHEN) {
              return this.goto(this.parseDateTime);
            } else {
              throw this.error(new TomlError("Expected hyphen (-) while parsing year part of date"));
            }
          }
        }
        parseNumberBaseOrDateTime() {
          if (this.char === CHAR_b) {
            this.consume();
            return this.call(this.parseNoUnderHexOctBinLiteral, this.parseIntegerBin);
          } else if (this.char === CHAR_o) {
            this.consume();
            return this.call(this.parseNoUnderHexOctBinLiteral, this.parseIntegerOct);
          } else if (this.char === CHAR_x) {
            this.consume();
            return this.call(this.parseNoUnderHexOctBinLiteral, this.parseIntegerHex);
          } else if (this.char === CHAR_PERIOD) {
            return this.goto(this.parseNumberInteger);
          } else if (isDigit(this.char)) {
            return this.goto(this.parseDateTimeOnly);
          } else {
            return this.returnNow(Integer(this.state.buf));
          }
        }
        parseIntegerHex() {
          if (isHexit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnderHexOctBinLiteral);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        parseIntegerOct() {
          if (isOctit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnderHexOctBinLiteral);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        parseIntegerBin() {
          if (isBit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnderHexOctBinLiteral);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        /* DATETIME */
        parseDateTime() {
          if (this.state.buf.length < 4) {
            throw this.error(new TomlError("Years less than 1000 must be zero padded to four characters"));
          }
          this.state.result = this.state.buf;
          this.state.buf = "";
          return this.next(this.parseDateMonth);
        }
        parseDateMonth() {
          if (this.char === CHAR_HYPHEN) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Months less than 10 must be zero padded to two characters"));
            }
            this.state.result += "-" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseDateDay);
          } else if (isDigit(this.char)) {
            this.consume();
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseDateDay() {
          if (this.char === CHAR_T || this.char === CHAR_SP) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Days less than 10 must be zero padded to two characters"));
            }
            this.state.result += "-" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseStartTimeHour);
          } else if (this.atEndOfWord()) {
            return this.returnNow(createDate(this.state.result + "-" + this.state.buf));
          } else if (isDigit(this.char)) {
            this.consume();
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseStartTimeHour() {
          if (this.atEndOfWord()) {
            return this.returnNow(createDate(this.state.result));
          } else {
            return this.goto(this.parseTimeHour);
          }
        }
        parseTimeHour() {
          if (this.char === CHAR_COLON) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Hours less than 10 must be zero padded to two characters"));
            }
            this.state.result += "T" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseTimeMin);
          } else if (isDigit(this.char)) {
            this.consume();
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseTimeMin() {
          if (this.state.buf.length < 2 && isDigit(this.char)) {
            this.consume();
          } else if (this.state.buf.length === 2 && this.char === CHAR_COLON) {
            this.state.result += ":" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseTimeSec);
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseTimeSec() {
          if (isDigit(this.char)) {
            this.consume();
            if (this.state.buf.length === 2) {
              this.state.result += ":" + this.state.buf;
              this.state.buf = "";
              return this.next(this.parseTimeZoneOrFraction);
            }
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseOnlyTimeHour() {
          if (this.char === CHAR_COLON) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Hours less than 10 must be zero padded to two characters"));
            }
            this.state.result = this.state.buf;
            this.state.buf = "";
            return this.next(this.parseOnlyTimeMin);
          } else {
            throw this.error(new TomlError("Incomplete time"));
          }
        }
        parseOnlyTimeMin() {
          if (this.state.buf.length < 2 && isDigit(this.char)) {
            this.consume();
          } else if (this.state.buf.length === 2 && this.char === CHAR_COLON) {
            this.state.result += ":" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseOnlyTimeSec);
          } else {
            throw this.error(new TomlError("Incomplete time"));
          }
        }
        parseOnlyTimeSec() {
          if (isDigit(this.char)) {
            this.consume();
            if (this.state.buf.length === 2) {
              return this.next(this.parseOnlyTimeFractionMaybe);
            }
          } else {
            throw this.error(new TomlError("Incomplete time"));
          }
        }
        parseOnlyTimeFractionMaybe() {
          this.state.result += ":" + this.state.buf;
          if (this.char === CHAR_PERIOD) {
            this.state.buf = "";
            this.next(this.parseOnlyTimeFraction);
          } else {
            return this.return(createTime(this.state.result));
          }
        }
        parseOnlyTimeFraction() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.atEndOfWord()) {
            if (this.state.buf.length === 0) throw this.error(new TomlError("Expected digit in milliseconds"));
            return this.returnNow(createTime(this.state.result + "." + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected period (.), minus (-), plus (+) or Z"));
          }
        }
        parseTimeZoneOrFraction() {
          if (this.char === CHAR_PERIOD) {
            this.consume();
            this.next(this.parseDateTimeFraction);
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            this.consume();
            this.next(this.parseTimeZoneHour);
          } else if (this.char === CHAR_Z) {
            this.consume();
            return this.return(createDateTime(this.state.result + this.state.buf));
          } else if (this.atEndOfWord()) {
            return this.returnNow(createDateTimeFloat(this.state.result + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected period (.), minus (-), plus (+) or Z"));
          }
        }
        parseDateTimeFraction() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.state.buf.length === 1) {
            throw this.error(new TomlError("Expected digit in milliseconds"));
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            this.consume();
            this.next(this.parseTimeZoneHour);
          } else if (this.char === CHAR_Z) {
            this.consume();
            return this.return(createDateTime(this.state.result + this.state.buf));
          } else if (this.atEndOfWord()) {
            return this.returnNow(createDateTimeFloat(this.state.result + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected period (.), minus (-), plus (+) or Z"));
          }
        }
        parseTimeZoneHour() {
          if (isDigit(this.char)) {
            this.consume();
            if (/\d\d$/.test(this.state.buf)) return this.next(this.parseTimeZoneSep);
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected digit"));
          }
        }
        parseTimeZoneSep() {
          if (this.char === CHAR_COLON) {
            this.consume();
            this.next(this.parseTimeZoneMin);
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected colon"));
          }
        }
        parseTimeZoneMin() {
          if (isDigit(this.char)) {
            this.consume();
            if (/\d\d$/.test(this.state.buf)) return this.return(createDateTime(this.state.result + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected digit"));
          }
        }
        /* BOOLEAN */
        parseBoolean() {
          if (this.char === CHAR_t) {
            this.consume();
            return this.next(this.parseTrue_r);
          } else if (this.char === CHAR_f) {
            this.consume();
            return this.next(this.parseFalse_a);
          }
        }
        parseTrue_r() {
          if (this.char === CHAR_r) {
            this.consume();
            return this.next(this.parseTrue_u);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseTrue_u() {
          if (this.char === CHAR_u) {
            this.consume();
            return this.next(this.parseTrue_e);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseTrue_e() {
          if (this.char === CHAR_e) {
            return this.return(true);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_a() {
          if (this.char === CHAR_a) {
            this.consume();
            return this.next(this.parseFalse_l);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_l() {
          if (this.char === CHAR_l) {
            this.consume();
            return this.next(this.parseFalse_s);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_s() {
          if (this.char === CHAR_s) {
            this.consume();
            return this.next(this.parseFalse_e);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_e() {
          if (this.char === CHAR_e) {
            return this.return(false);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        /* INLINE LISTS */
        parseInlineList() {
          if (this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M || this.char === CTRL_J) {
            return null;
          } else if (this.char === Parser2.END) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_NUM) {
            return this.call(this.parseComment);
          } else if (this.char === CHAR_RSQB) {
            return this.return(this.state.resultArr || InlineList());
          } else {
            return this.callNow(this.parseValue, this.recordInlineListValue);
          }
        }
        recordInlineListValue(value) {
          if (!this.state.resultArr) {
            this.state.resultArr = InlineList(tomlType(value));
          }
          if (isFloat(value) || isInteger(value)) {
            this.state.resultArr.push(value.valueOf());
          } else {
            this.state.resultArr.push(value);
          }
          return this.goto(this.parseInlineListNext);
        }
        parseInlineListNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M || this.char === CTRL_J) {
            return null;
          } else if (this.char === CHAR_NUM) {
            return this.call(this.parseComment);
          } else if (this.char === CHAR_COMMA) {
            return this.next(this.parseInlineList);
          } else if (this.char === CHAR_RSQB) {
            return this.goto(this.parseInlineList);
          } else {
            throw this.error(new TomlError("Invalid character, expected whitespace, comma (,) or close bracket (])"));
          }
        }
        /* INLINE TABLE */
        parseInlineTable() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === Parser2.END || this.char === CHAR_NUM || this.char === CTRL_J || this.char === CTRL_M) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_RCUB) {
            return this.return(this.state.resultTable || InlineTable());
          } else {
            if (!this.state.resultTable) this.state.resultTable = InlineTable();
            return this.callNow(this.parseAssign, this.recordInlineTableValue);
          }
        }
        recordInlineTableValue(kv) {
          let target = this.state.resultTable;
          let finalKey = kv.key.pop();
          for (let kw of kv.key) {
            if (hasKey(target, kw) && (!isTable(target[kw]) || target[kw][_declared])) {
              throw this.error(new TomlError("Can't redefine existing key"));
            }
            target = target[kw] = target[kw] || Table();
          }
          if (hasKey(target, finalKey)) {
            throw this.error(new TomlError("Can't redefine existing key"));
          }
          if (isInteger(kv.value) || isFloat(kv.value)) {
            target[finalKey] = kv.value.valueOf();
          } else {
            target[finalKey] = kv.value;
          }
          return this.goto(this.parseInlineTableNext);
        }
        parseInlineTableNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === Parser2.END || this.char === CHAR_NUM || this.char === CTRL_J || this.char === CTRL_M) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_COMMA) {
            return this.next(this.parseInlineTablePostComma);
          } else if (this.char === CHAR_RCUB) {
            return this.goto(this.parseInlineTable);
          } else {
            throw this.error(new TomlError("Invalid character, expected whitespace, comma (,) or close bracket (])"));
          }
        }
        parseInlineTablePostComma() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === Parser2.END || this.char === CHAR_NUM || this.char === CTRL_J || this.char === CTRL_M) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_COMMA) {
            throw this.error(new TomlError("Empty elements in inline tables are not permitted"));
          } else if (this.char === CHAR_RCUB) {
            throw this.error(new TomlError("Trailing commas in inline tables are not permitted"));
          } else {
            return this.goto(this.parseInlineTable);
          }
        }
      }
      return TOMLParser;
    }
  }
});

// node_modules/@iarna/toml/parse-pretty-error.js
var require_parse_pretty_error = __commonJS({
  "node_modules/@iarna/toml/parse-pretty-error.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    module2.exports = prettyError;
    function prettyError(err, buf) {
      if (err.pos == null || err.line == null) return err;
      let msg = err.message;
      msg += ` at row ${err.line + 1}, col ${err.col + 1}, pos ${err.pos}:
`;
      if (buf && buf.split) {
        const lines = buf.split(/\n/);
        const lineNumWidth = String(Math.min(lines.length, err.line + 3)).length;
        let linePadding = " ";
        while (linePadding.length < lineNumWidth) linePadding += " ";
        for (let ii = Math.max(0, err.line - 1); ii < Math.min(lines.length, err.line + 2); ++ii) {
          let lineNum = String(ii + 1);
          if (lineNum.length < lineNumWidth) lineNum = " " + lineNum;
          if (err.line === ii) {
            msg += lineNum + "> " + lines[ii] + "\n";
            msg += linePadding + "  ";
            for (let hh = 0; hh < err.col; ++hh) {
              msg += " ";
            }
            msg += "^\n";
          } else {
            msg += lineNum + ": " + lines[ii] + "\n";
          }
        }
      }
      err.message = msg + "\n";
      return err;
    }
  }
});

// node_modules/@iarna/toml/parse-string.js
var require_parse_string = __commonJS({
  "node_modules/@iarna/toml/parse-string.js"(exports2, module2) {
    "use strict";
    init_import_meta_url();
    module2.exports = parseString;
    var TOMLParser = require_toml_parser();
    var prettyError = require_parse_pretty_error();
    function parseString(str) {
      if (global.Buffer && global.Buffer.isBuffer(str)) {
        str = str.toString("utf8");
      }
      const parser2 = new TOMLParser();
      try {
        parser2.parse(str);
        return parser2.finish();
      } catch (err) {
        throw prettyError(err, str);
      }
    }
  }
});

// node_modules/chalk/source/vendor/ansi-styles/index.js
function assembleStyles() {
  const codes = /* @__PURE__ */ new Map();
  for (const [groupName, group] of Object.entries(styles)) {
    for (const [styleName, style] of Object.entries(group)) {
      styles[styleName] = {
        open: `\x1B[${style[0]}m`,
        close: `\x1B[${style[1]}m`
      };
      group[styleName] = styles[styleName];
      codes.set(style[0], style[1]);
    }
    Object.defineProperty(styles, groupName, {
      value: group,
      enumerable: false
    });
  }
  Object.defineProperty(styles, "codes", {
    value: codes,
    enumerable: false
  });
  styles.color.close = "\x1B[39m";
  styles.bgColor.close = "\x1B[49m";
  styles.color.ansi = wrapAnsi16();
  styles.color.ansi256 = wrapAnsi256();
  styles.color.ansi16m = wrapAnsi16m();
  styles.bgColor.ansi = wrapAnsi16(ANSI_BACKGROUND_OFFSET);
  styles.bgColor.ansi256 = wrapAnsi256(ANSI_BACKGROUND_OFFSET);
  styles.bgColor.ansi16m = wrapAnsi16m(ANSI_BACKGROUND_OFFSET);
  Object.defineProperties(styles, {
    rgbToAnsi256: {
      value(red, green, blue) {
        if (red === green && green === blue) {
          if (red < 8) {
            return 16;
          }
          if (red > 248) {
            return 231;
          }
          return Math.round((red - 8) / 247 * 24) + 232;
        }
        return 16 + 36 * Math.round(red / 255 * 5) + 6 * Math.round(green / 255 * 5) + Math.round(blue / 255 * 5);
      },
      enumerable: false
    },
    hexToRgb: {
      value(hex) {
        const matches = /[a-f\d]{6}|[a-f\d]{3}/i.exec(hex.toString(16));
        if (!matches) {
          return [0, 0, 0];
        }
        let [colorString] = matches;
        if (colorString.length === 3) {
          colorString = [...colorString].map((character) => character + character).join("");
        }
        const integer = Number.parseInt(colorString, 16);
        return [
          /* eslint-disable no-bitwise */
          integer >> 16 & 255,
          integer >> 8 & 255,
          integer & 255
          /* eslint-enable no-bitwise */
        ];
      },
      enumerable: false
    },
    hexToAnsi256: {
      value: (hex) => styles.rgbToAnsi256(...styles.hexToRgb(hex)),
      enumerable: false
    },
    ansi256ToAnsi: {
      value(code) {
        if (code < 8) {
          return 30 + code;
        }
        if (code < 16) {
          return 90 + (code - 8);
        }
        let red;
        let green;
        let blue;
        if (code >= 232) {
          red = ((code - 232) * 10 + 8) / 255;
          green = red;
          blue = red;
        } else {
          code -= 16;
          const remainder = code % 36;
          red = Math.floor(code / 36) / 5;
          green = Math.floor(remainder / 6) / 5;
          blue = remainder % 6 / 5;
        }
        const value = Math.max(red, green, blue) * 2;
        if (value === 0) {
          return 30;
        }
        let result = 30 + (Math.round(blue) << 2 | Math.round(green) << 1 | Math.round(red));
        if (value === 2) {
          result += 60;
        }
        return result;
      },
      enumerable: false
    },
    rgbToAnsi: {
      value: (red, green, blue) => styles.ansi256ToAnsi(styles.rgbToAnsi256(red, green, blue)),
      enumerable: false
    },
    hexToAnsi: {
      value: (hex) => styles.ansi256ToAnsi(styles.hexToAnsi256(hex)),
      enumerable: false
    }
  });
  return styles;
}
var ANSI_BACKGROUND_OFFSET, wrapAnsi16, wrapAnsi256, wrapAnsi16m, styles, modifierNames, foregroundColorNames, backgroundColorNames, colorNames, ansiStyles, ansi_styles_default;
var init_ansi_styles = __esm({
  "node_modules/chalk/source/vendor/ansi-styles/index.js"() {
    init_import_meta_url();
    ANSI_BACKGROUND_OFFSET = 10;
    wrapAnsi16 = (offset = 0) => (code) => `\x1B[${code + offset}m`;
    wrapAnsi256 = (offset = 0) => (code) => `\x1B[${38 + offset};5;${code}m`;
    wrapAnsi16m = (offset = 0) => (red, green, blue) => `\x1B[${38 + offset};2;${red};${green};${blue}m`;
    styles = {
      modifier: {
        reset: [0, 0],
        // 21 isn't widely supported and 22 does the same thing
        bold: [1, 22],
        dim: [2, 22],
        italic: [3, 23],
        underline: [4, 24],
        overline: [53, 55],
        inverse: [7, 27],
        hidden: [8, 28],
        strikethrough: [9, 29]
      },
      color: {
        black: [30, 39],
        red: [31, 39],
        green: [32, 39],
        yellow: [33, 39],
        blue: [34, 39],
        magenta: [35, 39],
        cyan: [36, 39],
        white: [37, 39],
        // Bright color
        blackBright: [90, 39],
        gray: [90, 39],
        // Alias of `blackBright`
        grey: [90, 39],
        // Alias of `blackBright`
        redBright: [91, 39],
        greenBright: [92, 39],
        yellowBright: [93, 39],
        blueBright: [94, 39],
        magentaBright: [95, 39],
        cyanBright: [96, 39],
        whiteBright: [97, 39]
      },
      bgColor: {
        bgBlack: [40, 49],
        bgRed: [41, 49],
        bgGreen: [42, 49],
        bgYellow: [43, 49],
        bgBlue: [44, 49],
        bgMagenta: [45, 49],
        bgCyan: [46, 49],
        bgWhite: [47, 49],
        // Bright color
        bgBlackBright: [100, 49],
        bgGray: [100, 49],
        // Alias of `bgBlackBright`
        bgGrey: [100, 49],
        // Alias of `bgBlackBright`
        bgRedBright: [101, 49],
        bgGreenBright: [102, 49],
        bgYellowBright: [103, 49],
        bgBlueBright: [104, 49],
        bgMagentaBright: [105, 49],
        bgCyanBright: [106, 49],
        bgWhiteBright: [107, 49]
      }
    };
    modifierNames = Object.keys(styles.modifier);
    foregroundColorNames = Object.keys(styles.color);
    backgroundColorNames = Object.keys(styles.bgColor);
    colorNames = [...foregroundColorNames, ...backgroundColorNames];
    ansiStyles = assembleStyles();
    ansi_styles_default = ansiStyles;
  }
});

// node_modules/chalk/source/vendor/supports-color/index.js
function hasFlag(flag, argv = globalThis.Deno ? globalThis.Deno.args : import_node_process.default.argv) {
  const prefix = flag.startsWith("-") ? "" : flag.length === 1 ? "-" : "--";
  const position = argv.indexOf(prefix + flag);
  const terminatorPosition = argv.indexOf("--");
  return position !== -1 && (terminatorPosition === -1 || position < terminatorPosition);
}
function envForceColor() {
  if ("FORCE_COLOR" in env2) {
    if (env2.FORCE_COLOR === "true") {
      return 1;
    }
    if (env2.FORCE_COLOR === "false") {
      return 0;
    }
    return env2.FORCE_COLOR.length === 0 ? 1 : Math.min(Number.parseInt(env2.FORCE_COLOR, 10), 3);
  }
}
function translateLevel(level) {
  if (level === 0) {
    return false;
  }
  return {
    level,
    hasBasic: true,
    has256: level >= 2,
    has16m: level >= 3
  };
}
function _supportsColor(haveStream, { streamIsTTY, sniffFlags = true } = {}) {
  const noFlagForceColor = envForceColor();
  if (noFlagForceColor !== void 0) {
    flagForceColor = noFlagForceColor;
  }
  const forceColor = sniffFlags ? flagForceColor : noFlagForceColor;
  if (forceColor === 0) {
    return 0;
  }
  if (sniffFlags) {
    if (hasFlag("color=16m") || hasFlag("color=full") || hasFlag("color=truecolor")) {
      return 3;
    }
    if (hasFlag("color=256")) {
      return 2;
    }
  }
  if ("TF_BUILD" in env2 && "AGENT_NAME" in env2) {
    return 1;
  }
  if (haveStream && !streamIsTTY && forceColor === void 0) {
    return 0;
  }
  const min = forceColor || 0;
  if (env2.TERM === "dumb") {
    return min;
  }
  if (import_node_process.default.platform === "win32") {
    const osRelease = import_node_os.default.release().split(".");
    if (Number(osRelease[0]) >= 10 && Number(osRelease[2]) >= 10586) {
      return Number(osRelease[2]) >= 14931 ? 3 : 2;
    }
    return 1;
  }
  if ("CI" in env2) {
    if (["GITHUB_ACTIONS", "GITEA_ACTIONS", "CIRCLECI"].some((key) => key in env2)) {
      return 3;
    }
    if (["TRAVIS", "APPVEYOR", "GITLAB_CI", "BUILDKITE", "DRONE"].some((sign) => sign in env2) || env2.CI_NAME === "codeship") {
      return 1;
    }
    return min;
  }
  if ("TEAMCITY_VERSION" in env2) {
    return /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/.test(env2.TEAMCITY_VERSION) ? 1 : 0;
  }
  if (env2.COLORTERM === "truecolor") {
    return 3;
  }
  if (env2.TERM === "xterm-kitty") {
    return 3;
  }
  if (env2.TERM === "xterm-ghostty") {
    return 3;
  }
  if (env2.TERM === "wezterm") {
    return 3;
  }
  if ("TERM_PROGRAM" in env2) {
    const version = Number.parseInt((env2.TERM_PROGRAM_VERSION || "").split(".")[0], 10);
    switch (env2.TERM_PROGRAM) {
      case "iTerm.app": {
        return version >= 3 ? 3 : 2;
      }
      case "Apple_Terminal": {
        return 2;
      }
    }
  }
  if (/-256(color)?$/i.test(env2.TERM)) {
    return 2;
  }
  if (/^screen|^xterm|^vt100|^vt220|^rxvt|color|ansi|cygwin|linux/i.test(env2.TERM)) {
    return 1;
  }
  if ("COLORTERM" in env2) {
    return 1;
  }
  return min;
}
function createSupportsColor(stream, options = {}) {
  const level = _supportsColor(stream, {
    streamIsTTY: stream && stream.isTTY,
    ...options
  });
  return translateLevel(level);
}
var import_node_process, import_node_os, import_node_tty, env2, flagForceColor, supportsColor, supports_color_default;
var init_supports_color = __esm({
  "node_modules/chalk/source/vendor/supports-color/index.js"() {
    init_import_meta_url();
    import_node_process = __toESM(require("node:process"), 1);
    import_node_os = __toESM(require("node:os"), 1);
    import_node_tty = __toESM(require("node:tty"), 1);
    ({ env: env2 } = import_node_process.default);
    if (hasFlag("no-color") || hasFlag("no-colors") || hasFlag("color=false") || hasFlag("color=never")) {
      flagForceColor = 0;
    } else if (hasFlag("color") || hasFlag("colors") || hasFlag("color=true") || hasFlag("color=always")) {
      flagForceColor = 1;
    }
    supportsColor = {
      stdout: createSupportsColor({ isTTY: import_node_tty.default.isatty(1) }),
      stderr: createSupportsColor({ isTTY: import_node_tty.default.isatty(2) })
    };
    supports_color_default = supportsColor;
  }
});

// node_modules/chalk/source/utilities.js
function stringReplaceAll(string, substring, replacer) {
  let index = string.indexOf(substring);
  if (index === -1) {
    return string;
  }
  const substringLength = substring.length;
  let endIndex = 0;
  let returnValue = "";
  do {
    returnValue += string.slice(endIndex, index) + substring + replacer;
    endIndex = index + substringLength;
    index = string.indexOf(substring, endIndex);
  } while (index !== -1);
  returnValue += string.slice(endIndex);
  return returnValue;
}
function stringEncaseCRLFWithFirstIndex(string, prefix, postfix, index) {
  let endIndex = 0;
  let returnValue = "";
  do {
    const gotCR = string[index - 1] === "\r";
    returnValue += string.slice(endIndex, gotCR ? index - 1 : index) + prefix + (gotCR ? "\r\n" : "\n") + postfix;
    endIndex = index + 1;
    index = string.indexOf("\n", endIndex);
  } while (index !== -1);
  returnValue += string.slice(endIndex);
  return returnValue;
}
var init_utilities = __esm({
  "node_modules/chalk/source/utilities.js"() {
    init_import_meta_url();
  }
});

// node_modules/chalk/source/index.js
var source_exports = {};
__export(source_exports, {
  Chalk: () => Chalk,
  backgroundColorNames: () => backgroundColorNames,
  backgroundColors: () => backgroundColorNames,
  chalkStderr: () => chalkStderr,
  colorNames: () => colorNames,
  colors: () => colorNames,
  default: () => source_default,
  foregroundColorNames: () => foregroundColorNames,
  foregroundColors: () => foregroundColorNames,
  modifierNames: () => modifierNames,
  modifiers: () => modifierNames,
  supportsColor: () => stdoutColor,
  supportsColorStderr: () => stderrColor
});
function createChalk(options) {
  return chalkFactory(options);
}
var stdoutColor, stderrColor, GENERATOR, STYLER, IS_EMPTY, levelMapping, styles2, applyOptions, Chalk, chalkFactory, getModelAnsi, usedModels, proto, createStyler, createBuilder, applyStyle, chalk, chalkStderr, source_default;
var init_source = __esm({
  "node_modules/chalk/source/index.js"() {
    init_import_meta_url();
    init_ansi_styles();
    init_supports_color();
    init_utilities();
    init_ansi_styles();
    ({ stdout: stdoutColor, stderr: stderrColor } = supports_color_default);
    GENERATOR = /* @__PURE__ */ Symbol("GENERATOR");
    STYLER = /* @__PURE__ */ Symbol("STYLER");
    IS_EMPTY = /* @__PURE__ */ Symbol("IS_EMPTY");
    levelMapping = [
      "ansi",
      "ansi",
      "ansi256",
      "ansi16m"
    ];
    styles2 = /* @__PURE__ */ Object.create(null);
    applyOptions = (object, options = {}) => {
      if (options.level && !(Number.isInteger(options.level) && options.level >= 0 && options.level <= 3)) {
        throw new Error("The `level` option should be an integer from 0 to 3");
      }
      const colorLevel2 = stdoutColor ? stdoutColor.level : 0;
      object.level = options.level === void 0 ? colorLevel2 : options.level;
    };
    Chalk = class {
      constructor(options) {
        return chalkFactory(options);
      }
    };
    chalkFactory = (options) => {
      const chalk2 = (...strings) => strings.join(" ");
      applyOptions(chalk2, options);
      Object.setPrototypeOf(chalk2, createChalk.prototype);
      return chalk2;
    };
    Object.setPrototypeOf(createChalk.prototype, Function.prototype);
    for (const [styleName, style] of Object.entries(ansi_styles_default)) {
      styles2[styleName] = {
        get() {
          const builder = createBuilder(this, createStyler(style.open, style.close, this[STYLER]), this[IS_EMPTY]);
          Object.defineProperty(this, styleName, { value: builder });
          return builder;
        }
      };
    }
    styles2.visible = {
      get() {
        const builder = createBuilder(this, this[STYLER], true);
        Object.defineProperty(this, "visible", { value: builder });
        return builder;
      }
    };
    getModelAnsi = (model, level, type2, ...arguments_) => {
      if (model === "rgb") {
        if (level === "ansi16m") {
          return ansi_styles_default[type2].ansi16m(...arguments_);
        }
        if (level === "ansi256") {
          return ansi_styles_default[type2].ansi256(ansi_styles_default.rgbToAnsi256(...arguments_));
        }
        return ansi_styles_default[type2].ansi(ansi_styles_default.rgbToAnsi(...arguments_));
      }
      if (model === "hex") {
        return getModelAnsi("rgb", level, type2, ...ansi_styles_default.hexToRgb(...arguments_));
      }
      return ansi_styles_default[type2][model](...arguments_);
    };
    usedModels = ["rgb", "hex", "ansi256"];
    for (const model of usedModels) {
      styles2[model] = {
        get() {
          const { level } = this;
          return function(...arguments_) {
            const styler = createStyler(getModelAnsi(model, levelMapping[level], "color", ...arguments_), ansi_styles_default.color.close, this[STYLER]);
            return createBuilder(this, styler, this[IS_EMPTY]);
          };
        }
      };
      const bgModel = "bg" + model[0].toUpperCase() + model.slice(1);
      styles2[bgModel] = {
        get() {
          const { level } = this;
          return function(...arguments_) {
            const styler = createStyler(getModelAnsi(model, levelMapping[level], "bgColor", ...arguments_), ansi_styles_default.bgColor.close, this[STYLER]);
            return createBuilder(this, styler, this[IS_EMPTY]);
          };
        }
      };
    }
    proto = Object.defineProperties(() => {
    }, {
      ...styles2,
      level: {
        enumerable: true,
        get() {
          return this[GENERATOR].level;
        },
        set(level) {
          this[GENERATOR].level = level;
        }
      }
    });
    createStyler = (open, close, parent) => {
      let openAll;
      let closeAll;
      if (parent === void 0) {
        openAll = open;
        closeAll = close;
      } else {
        openAll = parent.openAll + open;
        closeAll = close + parent.closeAll;
      }
      return {
        open,
        close,
        openAll,
        closeAll,
        parent
      };
    };
    createBuilder = (self, _styler, _isEmpty) => {
      const builder = (...arguments_) => applyStyle(builder, arguments_.length === 1 ? "" + arguments_[0] : arguments_.join(" "));
      Object.setPrototypeOf(builder, proto);
      builder[GENERATOR] = self;
      builder[STYLER] = _styler;
      builder[IS_EMPTY] = _isEmpty;
      return builder;
    };
    applyStyle = (self, string) => {
      if (self.level <= 0 || !string) {
        return self[IS_EMPTY] ? "" : string;
      }
      let styler = self[STYLER];
      if (styler === void 0) {
        return string;
      }
      const { openAll, closeAll } = styler;
      if (string.includes("\x1B")) {
        while (styler !== void 0) {
          string = stringReplaceAll(string, styler.close, styler.open);
          styler = styler.parent;
        }
      }
      const lfIndex = string.indexOf("\n");
      if (lfIndex !== -1) {
        string = stringEncaseCRLFWithFirstIndex(string, closeAll, openAll, lfIndex);
      }
      return openAll + string + closeAll;
    };
    Object.defineProperties(createChalk.prototype, styles2);
    chalk = createChalk();
    chalkStderr = createChalk({ level: stderrColor ? stderrColor.level : 0 });
    source_default = chalk;
  }
});

// dist/cli/main.js
var main_exports = {};
__export(main_exports, {
  main: () => main
});
module.exports = __toCommonJS(main_exports);
init_import_meta_url();

// dist/report/report.js
init_import_meta_url();

// dist/resolve/origin.js
init_import_meta_url();
function describeOrigin(origin) {
  switch (origin.kind) {
    case "config":
      return origin.line ? `${origin.path}:${origin.line}` : origin.path;
    case "cli-override":
      return origin.flag;
    case "env":
      return origin.from === "dotenv" ? `${origin.name} in ${origin.path ?? ".env"}${origin.line ? `:${origin.line}` : ""}` : `${origin.name} (shell environment)`;
    case "aws-config":
      return `profile ${origin.profile} in ${origin.path}${origin.line ? `:${origin.line}` : ""}`;
    case "auth-json":
      return `${origin.path} (stored by codex login)`;
    case "default":
      return origin.note;
  }
}

// dist/report/report.js
var SCHEMA_VERSION = 1;
var EMPTY_SETUP = {
  codexHome: null,
  configFiles: [],
  profile: null,
  provider: null,
  model: null,
  region: null,
  regionSource: null,
  authMode: null,
  authSource: null,
  endpoint: null
};
function reportSetup(setup) {
  const region = setup.region.effective;
  return {
    codexHome: setup.codexHome.path,
    configFiles: setup.layers.map((layer) => ({ layer: layer.name, path: layer.path, status: layer.status })),
    profile: setup.profileName,
    provider: typeof setup.provider?.value === "string" ? setup.provider.value : null,
    model: setup.model.value,
    region: typeof region?.value === "string" ? region.value : null,
    regionSource: region ? describeOrigin(region.origin) : null,
    authMode: setup.auth.mode,
    authSource: setup.auth.description,
    endpoint: setup.endpoint?.value ?? null
  };
}
function reportCheck({ internalError: _internal, blocked: _blocked, ...check }) {
  return check;
}
function reportCodex(setup) {
  const { codex } = setup;
  return {
    version: codex.version,
    source: codex.versionFrom,
    install: codex.install ? { kind: codex.install.kind, path: codex.install.path, onPath: codex.install.onPath } : null,
    basis: codex.basis,
    ruleSet: codex.rules.release,
    rules: codex.rules.applied.map((rule) => ({ behaviour: rule.behaviour, value: codex.rules.behaviour[rule.behaviour], range: rule.range, established: rule.established }))
  };
}
function buildReport(input) {
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  input.results.forEach((result) => summary[result.status] += 1);
  const overallStatus = input.error || summary.fail > 0 ? "fail" : summary.warn > 0 ? "warn" : "pass";
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "codex-bedrock", version: input.version },
    generatedAt: input.generatedAt.toISOString(),
    overallStatus,
    summary,
    setup: input.setup ? reportSetup(input.setup) : EMPTY_SETUP,
    codex: input.setup ? reportCodex(input.setup) : null,
    checks: input.results.map(reportCheck),
    error: input.error
  };
}
function exitCodeFor(report, strict) {
  if (report.error)
    return 2;
  if (report.summary.fail > 0)
    return 1;
  if (strict && report.summary.warn > 0)
    return 1;
  return 0;
}

// dist/report/terminalSafe.js
init_import_meta_url();
var CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
var CONTROL_KEEPING_NEWLINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
var NAMED = { "\n": "\\n", "\r": "\\r", "\x1B": "\\x1b" };
function escapeControl(char) {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code <= 255 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`);
}
function visibleLine(text2) {
  return text2.replace(CONTROL, escapeControl);
}
function visibleText(text2) {
  return text2.replace(CONTROL_KEEPING_NEWLINES, escapeControl);
}
var MULTI_LINE_FIELDS = /* @__PURE__ */ new Set(["remediation", "details", "text"]);
function visibleDeep(value, multiLine = false) {
  if (typeof value === "string")
    return multiLine ? visibleText(value) : visibleLine(value);
  if (Array.isArray(value))
    return value.map((item) => visibleDeep(item, multiLine));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visibleDeep(item, MULTI_LINE_FIELDS.has(key))]));
  }
  return value;
}

// dist/version.js
init_import_meta_url();
var import_node_fs = require("node:fs");
var TOOL_VERSION = JSON.parse((0, import_node_fs.readFileSync)(new URL("../package.json", importMetaUrl), "utf8")).version;

// dist/cli/args.js
init_import_meta_url();

// node_modules/yargs/index.mjs
init_import_meta_url();

// node_modules/yargs/lib/platform-shims/esm.mjs
init_import_meta_url();
var import_assert = require("assert");

// node_modules/cliui/index.mjs
init_import_meta_url();

// node_modules/cliui/build/lib/index.js
init_import_meta_url();
var align = {
  right: alignRight,
  center: alignCenter
};
var top = 0;
var right = 1;
var bottom = 2;
var left = 3;
var UI = class {
  constructor(opts) {
    var _a2;
    this.width = opts.width;
    this.wrap = (_a2 = opts.wrap) !== null && _a2 !== void 0 ? _a2 : true;
    this.rows = [];
  }
  span(...args) {
    const cols = this.div(...args);
    cols.span = true;
  }
  resetOutput() {
    this.rows = [];
  }
  div(...args) {
    if (args.length === 0) {
      this.div("");
    }
    if (this.wrap && this.shouldApplyLayoutDSL(...args) && typeof args[0] === "string") {
      return this.applyLayoutDSL(args[0]);
    }
    const cols = args.map((arg) => {
      if (typeof arg === "string") {
        return this.colFromString(arg);
      }
      return arg;
    });
    this.rows.push(cols);
    return cols;
  }
  shouldApplyLayoutDSL(...args) {
    return args.length === 1 && typeof args[0] === "string" && /[\t\n]/.test(args[0]);
  }
  applyLayoutDSL(str) {
    const rows = str.split("\n").map((row) => row.split("	"));
    let leftColumnWidth = 0;
    rows.forEach((columns) => {
      if (columns.length > 1 && mixin.stringWidth(columns[0]) > leftColumnWidth) {
        leftColumnWidth = Math.min(Math.floor(this.width * 0.5), mixin.stringWidth(columns[0]));
      }
    });
    rows.forEach((columns) => {
      this.div(...columns.map((r, i) => {
        return {
          text: r.trim(),
          padding: this.measurePadding(r),
          width: i === 0 && columns.length > 1 ? leftColumnWidth : void 0
        };
      }));
    });
    return this.rows[this.rows.length - 1];
  }
  colFromString(text2) {
    return {
      text: text2,
      padding: this.measurePadding(text2)
    };
  }
  measurePadding(str) {
    const noAnsi = mixin.stripAnsi(str);
    return [0, noAnsi.match(/\s*$/)[0].length, 0, noAnsi.match(/^\s*/)[0].length];
  }
  toString() {
    const lines = [];
    this.rows.forEach((row) => {
      this.rowToString(row, lines);
    });
    return lines.filter((line) => !line.hidden).map((line) => line.text).join("\n");
  }
  rowToString(row, lines) {
    this.rasterize(row).forEach((rrow, r) => {
      let str = "";
      rrow.forEach((col, c) => {
        const { width } = row[c];
        const wrapWidth = this.negatePadding(row[c]);
        let ts = col;
        if (wrapWidth > mixin.stringWidth(col)) {
          ts += " ".repeat(wrapWidth - mixin.stringWidth(col));
        }
        if (row[c].align && row[c].align !== "left" && this.wrap) {
          const fn = align[row[c].align];
          ts = fn(ts, wrapWidth);
          if (mixin.stringWidth(ts) < wrapWidth) {
            ts += " ".repeat((width || 0) - mixin.stringWidth(ts) - 1);
          }
        }
        const padding = row[c].padding || [0, 0, 0, 0];
        if (padding[left]) {
          str += " ".repeat(padding[left]);
        }
        str += addBorder(row[c], ts, "| ");
        str += ts;
        str += addBorder(row[c], ts, " |");
        if (padding[right]) {
          str += " ".repeat(padding[right]);
        }
        if (r === 0 && lines.length > 0) {
          str = this.renderInline(str, lines[lines.length - 1]);
        }
      });
      lines.push({
        text: str.replace(/ +$/, ""),
        span: row.span
      });
    });
    return lines;
  }
  // if the full 'source' can render in
  // the target line, do so.
  renderInline(source, previousLine) {
    const match = source.match(/^ */);
    const leadingWhitespace = match ? match[0].length : 0;
    const target = previousLine.text;
    const targetTextWidth = mixin.stringWidth(target.trimRight());
    if (!previousLine.span) {
      return source;
    }
    if (!this.wrap) {
      previousLine.hidden = true;
      return target + source;
    }
    if (leadingWhitespace < targetTextWidth) {
      return source;
    }
    previousLine.hidden = true;
    return target.trimRight() + " ".repeat(leadingWhitespace - targetTextWidth) + source.trimLeft();
  }
  rasterize(row) {
    const rrows = [];
    const widths = this.columnWidths(row);
    let wrapped;
    row.forEach((col, c) => {
      col.width = widths[c];
      if (this.wrap) {
        wrapped = mixin.wrap(col.text, this.negatePadding(col), { hard: true }).split("\n");
      } else {
        wrapped = col.text.split("\n");
      }
      if (col.border) {
        wrapped.unshift("." + "-".repeat(this.negatePadding(col) + 2) + ".");
        wrapped.push("'" + "-".repeat(this.negatePadding(col) + 2) + "'");
      }
      if (col.padding) {
        wrapped.unshift(...new Array(col.padding[top] || 0).fill(""));
        wrapped.push(...new Array(col.padding[bottom] || 0).fill(""));
      }
      wrapped.forEach((str, r) => {
        if (!rrows[r]) {
          rrows.push([]);
        }
        const rrow = rrows[r];
        for (let i = 0; i < c; i++) {
          if (rrow[i] === void 0) {
            rrow.push("");
          }
        }
        rrow.push(str);
      });
    });
    return rrows;
  }
  negatePadding(col) {
    let wrapWidth = col.width || 0;
    if (col.padding) {
      wrapWidth -= (col.padding[left] || 0) + (col.padding[right] || 0);
    }
    if (col.border) {
      wrapWidth -= 4;
    }
    return wrapWidth;
  }
  columnWidths(row) {
    if (!this.wrap) {
      return row.map((col) => {
        return col.width || mixin.stringWidth(col.text);
      });
    }
    let unset = row.length;
    let remainingWidth = this.width;
    const widths = row.map((col) => {
      if (col.width) {
        unset--;
        remainingWidth -= col.width;
        return col.width;
      }
      return void 0;
    });
    const unsetWidth = unset ? Math.floor(remainingWidth / unset) : 0;
    return widths.map((w, i) => {
      if (w === void 0) {
        return Math.max(unsetWidth, _minWidth(row[i]));
      }
      return w;
    });
  }
};
function addBorder(col, ts, style) {
  if (col.border) {
    if (/[.']-+[.']/.test(ts)) {
      return "";
    }
    if (ts.trim().length !== 0) {
      return style;
    }
    return "  ";
  }
  return "";
}
function _minWidth(col) {
  const padding = col.padding || [];
  const minWidth = 1 + (padding[left] || 0) + (padding[right] || 0);
  if (col.border) {
    return minWidth + 4;
  }
  return minWidth;
}
function getWindowWidth() {
  if (typeof process === "object" && process.stdout && process.stdout.columns) {
    return process.stdout.columns;
  }
  return 80;
}
function alignRight(str, width) {
  str = str.trim();
  const strWidth = mixin.stringWidth(str);
  if (strWidth < width) {
    return " ".repeat(width - strWidth) + str;
  }
  return str;
}
function alignCenter(str, width) {
  str = str.trim();
  const strWidth = mixin.stringWidth(str);
  if (strWidth >= width) {
    return str;
  }
  return " ".repeat(width - strWidth >> 1) + str;
}
var mixin;
function cliui(opts, _mixin) {
  mixin = _mixin;
  return new UI({
    width: (opts === null || opts === void 0 ? void 0 : opts.width) || getWindowWidth(),
    wrap: opts === null || opts === void 0 ? void 0 : opts.wrap
  });
}

// node_modules/cliui/build/lib/string-utils.js
init_import_meta_url();
var ansi = new RegExp("\x1B(?:\\[(?:\\d+[ABCDEFGJKSTm]|\\d+;\\d+[Hfm]|\\d+;\\d+;\\d+m|6n|s|u|\\?25[lh])|\\w)", "g");
function stripAnsi(str) {
  return str.replace(ansi, "");
}
function wrap(str, width) {
  const [start, end] = str.match(ansi) || ["", ""];
  str = stripAnsi(str);
  let wrapped = "";
  for (let i = 0; i < str.length; i++) {
    if (i !== 0 && i % width === 0) {
      wrapped += "\n";
    }
    wrapped += str.charAt(i);
  }
  if (start && end) {
    wrapped = `${start}${wrapped}${end}`;
  }
  return wrapped;
}

// node_modules/cliui/index.mjs
function ui(opts) {
  return cliui(opts, {
    stringWidth: (str) => {
      return [...str].length;
    },
    stripAnsi,
    wrap
  });
}

// node_modules/escalade/sync/index.mjs
init_import_meta_url();
var import_path = require("path");
var import_fs = require("fs");
function sync_default(start, callback) {
  let dir = (0, import_path.resolve)(".", start);
  let tmp, stats = (0, import_fs.statSync)(dir);
  if (!stats.isDirectory()) {
    dir = (0, import_path.dirname)(dir);
  }
  while (true) {
    tmp = callback(dir, (0, import_fs.readdirSync)(dir));
    if (tmp) return (0, import_path.resolve)(dir, tmp);
    dir = (0, import_path.dirname)(tmp = dir);
    if (tmp === dir) break;
  }
}

// node_modules/yargs/lib/platform-shims/esm.mjs
var import_util3 = require("util");
var import_fs4 = require("fs");
var import_url = require("url");

// node_modules/yargs-parser/build/lib/index.js
init_import_meta_url();
var import_util = require("util");
var import_path2 = require("path");

// node_modules/yargs-parser/build/lib/string-utils.js
init_import_meta_url();
function camelCase(str) {
  const isCamelCase = str !== str.toLowerCase() && str !== str.toUpperCase();
  if (!isCamelCase) {
    str = str.toLowerCase();
  }
  if (str.indexOf("-") === -1 && str.indexOf("_") === -1) {
    return str;
  } else {
    let camelcase = "";
    let nextChrUpper = false;
    const leadingHyphens = str.match(/^-+/);
    for (let i = leadingHyphens ? leadingHyphens[0].length : 0; i < str.length; i++) {
      let chr = str.charAt(i);
      if (nextChrUpper) {
        nextChrUpper = false;
        chr = chr.toUpperCase();
      }
      if (i !== 0 && (chr === "-" || chr === "_")) {
        nextChrUpper = true;
      } else if (chr !== "-" && chr !== "_") {
        camelcase += chr;
      }
    }
    return camelcase;
  }
}
function decamelize(str, joinString) {
  const lowercase = str.toLowerCase();
  joinString = joinString || "-";
  let notCamelcase = "";
  for (let i = 0; i < str.length; i++) {
    const chrLower = lowercase.charAt(i);
    const chrString = str.charAt(i);
    if (chrLower !== chrString && i > 0) {
      notCamelcase += `${joinString}${lowercase.charAt(i)}`;
    } else {
      notCamelcase += chrString;
    }
  }
  return notCamelcase;
}
function looksLikeNumber(x) {
  if (x === null || x === void 0)
    return false;
  if (typeof x === "number")
    return true;
  if (/^0x[0-9a-f]+$/i.test(x))
    return true;
  if (/^0[^.]/.test(x))
    return false;
  return /^[-]?(?:\d+(?:\.\d*)?|\.\d+)(e[-+]?\d+)?$/.test(x);
}

// node_modules/yargs-parser/build/lib/yargs-parser.js
init_import_meta_url();

// node_modules/yargs-parser/build/lib/tokenize-arg-string.js
init_import_meta_url();
function tokenizeArgString(argString) {
  if (Array.isArray(argString)) {
    return argString.map((e) => typeof e !== "string" ? e + "" : e);
  }
  argString = argString.trim();
  let i = 0;
  let prevC = null;
  let c = null;
  let opening = null;
  const args = [];
  for (let ii = 0; ii < argString.length; ii++) {
    prevC = c;
    c = argString.charAt(ii);
    if (c === " " && !opening) {
      if (!(prevC === " ")) {
        i++;
      }
      continue;
    }
    if (c === opening) {
      opening = null;
    } else if ((c === "'" || c === '"') && !opening) {
      opening = c;
    }
    if (!args[i])
      args[i] = "";
    args[i] += c;
  }
  return args;
}

// node_modules/yargs-parser/build/lib/yargs-parser-types.js
init_import_meta_url();
var DefaultValuesForTypeKey;
(function(DefaultValuesForTypeKey2) {
  DefaultValuesForTypeKey2["BOOLEAN"] = "boolean";
  DefaultValuesForTypeKey2["STRING"] = "string";
  DefaultValuesForTypeKey2["NUMBER"] = "number";
  DefaultValuesForTypeKey2["ARRAY"] = "array";
})(DefaultValuesForTypeKey || (DefaultValuesForTypeKey = {}));

// node_modules/yargs-parser/build/lib/yargs-parser.js
var mixin2;
var YargsParser = class {
  constructor(_mixin) {
    mixin2 = _mixin;
  }
  parse(argsInput, options) {
    const opts = Object.assign({
      alias: void 0,
      array: void 0,
      boolean: void 0,
      config: void 0,
      configObjects: void 0,
      configuration: void 0,
      coerce: void 0,
      count: void 0,
      default: void 0,
      envPrefix: void 0,
      narg: void 0,
      normalize: void 0,
      string: void 0,
      number: void 0,
      __: void 0,
      key: void 0
    }, options);
    const args = tokenizeArgString(argsInput);
    const inputIsString = typeof argsInput === "string";
    const aliases = combineAliases(Object.assign(/* @__PURE__ */ Object.create(null), opts.alias));
    const configuration = Object.assign({
      "boolean-negation": true,
      "camel-case-expansion": true,
      "combine-arrays": false,
      "dot-notation": true,
      "duplicate-arguments-array": true,
      "flatten-duplicate-arrays": true,
      "greedy-arrays": true,
      "halt-at-non-option": false,
      "nargs-eats-options": false,
      "negation-prefix": "no-",
      "parse-numbers": true,
      "parse-positional-numbers": true,
      "populate--": false,
      "set-placeholder-key": false,
      "short-option-groups": true,
      "strip-aliased": false,
      "strip-dashed": false,
      "unknown-options-as-args": false
    }, opts.configuration);
    const defaults = Object.assign(/* @__PURE__ */ Object.create(null), opts.default);
    const configObjects = opts.configObjects || [];
    const envPrefix = opts.envPrefix;
    const notFlagsOption = configuration["populate--"];
    const notFlagsArgv = notFlagsOption ? "--" : "_";
    const newAliases = /* @__PURE__ */ Object.create(null);
    const defaulted = /* @__PURE__ */ Object.create(null);
    const __ = opts.__ || mixin2.format;
    const flags = {
      aliases: /* @__PURE__ */ Object.create(null),
      arrays: /* @__PURE__ */ Object.create(null),
      bools: /* @__PURE__ */ Object.create(null),
      strings: /* @__PURE__ */ Object.create(null),
      numbers: /* @__PURE__ */ Object.create(null),
      counts: /* @__PURE__ */ Object.create(null),
      normalize: /* @__PURE__ */ Object.create(null),
      configs: /* @__PURE__ */ Object.create(null),
      nargs: /* @__PURE__ */ Object.create(null),
      coercions: /* @__PURE__ */ Object.create(null),
      keys: []
    };
    const negative = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;
    const negatedBoolean = new RegExp("^--" + configuration["negation-prefix"] + "(.+)");
    [].concat(opts.array || []).filter(Boolean).forEach(function(opt) {
      const key = typeof opt === "object" ? opt.key : opt;
      const assignment = Object.keys(opt).map(function(key2) {
        const arrayFlagKeys = {
          boolean: "bools",
          string: "strings",
          number: "numbers"
        };
        return arrayFlagKeys[key2];
      }).filter(Boolean).pop();
      if (assignment) {
        flags[assignment][key] = true;
      }
      flags.arrays[key] = true;
      flags.keys.push(key);
    });
    [].concat(opts.boolean || []).filter(Boolean).forEach(function(key) {
      flags.bools[key] = true;
      flags.keys.push(key);
    });
    [].concat(opts.string || []).filter(Boolean).forEach(function(key) {
      flags.strings[key] = true;
      flags.keys.push(key);
    });
    [].concat(opts.number || []).filter(Boolean).forEach(function(key) {
      flags.numbers[key] = true;
      flags.keys.push(key);
    });
    [].concat(opts.count || []).filter(Boolean).forEach(function(key) {
      flags.counts[key] = true;
      flags.keys.push(key);
    });
    [].concat(opts.normalize || []).filter(Boolean).forEach(function(key) {
      flags.normalize[key] = true;
      flags.keys.push(key);
    });
    if (typeof opts.narg === "object") {
      Object.entries(opts.narg).forEach(([key, value]) => {
        if (typeof value === "number") {
          flags.nargs[key] = value;
          flags.keys.push(key);
        }
      });
    }
    if (typeof opts.coerce === "object") {
      Object.entries(opts.coerce).forEach(([key, value]) => {
        if (typeof value === "function") {
          flags.coercions[key] = value;
          flags.keys.push(key);
        }
      });
    }
    if (typeof opts.config !== "undefined") {
      if (Array.isArray(opts.config) || typeof opts.config === "string") {
        ;
        [].concat(opts.config).filter(Boolean).forEach(function(key) {
          flags.configs[key] = true;
        });
      } else if (typeof opts.config === "object") {
        Object.entries(opts.config).forEach(([key, value]) => {
          if (typeof value === "boolean" || typeof value === "function") {
            flags.configs[key] = value;
          }
        });
      }
    }
    extendAliases(opts.key, aliases, opts.default, flags.arrays);
    Object.keys(defaults).forEach(function(key) {
      (flags.aliases[key] || []).forEach(function(alias) {
        defaults[alias] = defaults[key];
      });
    });
    let error = null;
    checkConfiguration();
    let notFlags = [];
    const argv = Object.assign(/* @__PURE__ */ Object.create(null), { _: [] });
    const argvReturn = {};
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      const truncatedArg = arg.replace(/^-{3,}/, "---");
      let broken;
      let key;
      let letters;
      let m;
      let next;
      let value;
      if (arg !== "--" && /^-/.test(arg) && isUnknownOptionAsArg(arg)) {
        pushPositional(arg);
      } else if (truncatedArg.match(/^---+(=|$)/)) {
        pushPositional(arg);
        continue;
      } else if (arg.match(/^--.+=/) || !configuration["short-option-groups"] && arg.match(/^-.+=/)) {
        m = arg.match(/^--?([^=]+)=([\s\S]*)$/);
        if (m !== null && Array.isArray(m) && m.length >= 3) {
          if (checkAllAliases(m[1], flags.arrays)) {
            i = eatArray(i, m[1], args, m[2]);
          } else if (checkAllAliases(m[1], flags.nargs) !== false) {
            i = eatNargs(i, m[1], args, m[2]);
          } else {
            setArg(m[1], m[2], true);
          }
        }
      } else if (arg.match(negatedBoolean) && configuration["boolean-negation"]) {
        m = arg.match(negatedBoolean);
        if (m !== null && Array.isArray(m) && m.length >= 2) {
          key = m[1];
          setArg(key, checkAllAliases(key, flags.arrays) ? [false] : false);
        }
      } else if (arg.match(/^--.+/) || !configuration["short-option-groups"] && arg.match(/^-[^-]+/)) {
        m = arg.match(/^--?(.+)/);
        if (m !== null && Array.isArray(m) && m.length >= 2) {
          key = m[1];
          if (checkAllAliases(key, flags.arrays)) {
            i = eatArray(i, key, args);
          } else if (checkAllAliases(key, flags.nargs) !== false) {
            i = eatNargs(i, key, args);
          } else {
            next = args[i + 1];
            if (next !== void 0 && (!next.match(/^-/) || next.match(negative)) && !checkAllAliases(key, flags.bools) && !checkAllAliases(key, flags.counts)) {
              setArg(key, next);
              i++;
            } else if (/^(true|false)$/.test(next)) {
              setArg(key, next);
              i++;
            } else {
              setArg(key, defaultValue(key));
            }
          }
        }
      } else if (arg.match(/^-.\..+=/)) {
        m = arg.match(/^-([^=]+)=([\s\S]*)$/);
        if (m !== null && Array.isArray(m) && m.length >= 3) {
          setArg(m[1], m[2]);
        }
      } else if (arg.match(/^-.\..+/) && !arg.match(negative)) {
        next = args[i + 1];
        m = arg.match(/^-(.\..+)/);
        if (m !== null && Array.isArray(m) && m.length >= 2) {
          key = m[1];
          if (next !== void 0 && !next.match(/^-/) && !checkAllAliases(key, flags.bools) && !checkAllAliases(key, flags.counts)) {
            setArg(key, next);
            i++;
          } else {
            setArg(key, defaultValue(key));
          }
        }
      } else if (arg.match(/^-[^-]+/) && !arg.match(negative)) {
        letters = arg.slice(1, -1).split("");
        broken = false;
        for (let j = 0; j < letters.length; j++) {
          next = arg.slice(j + 2);
          if (letters[j + 1] && letters[j + 1] === "=") {
            value = arg.slice(j + 3);
            key = letters[j];
            if (checkAllAliases(key, flags.arrays)) {
              i = eatArray(i, key, args, value);
            } else if (checkAllAliases(key, flags.nargs) !== false) {
              i = eatNargs(i, key, args, value);
            } else {
              setArg(key, value);
            }
            broken = true;
            break;
          }
          if (next === "-") {
            setArg(letters[j], next);
            continue;
          }
          if (/[A-Za-z]/.test(letters[j]) && /^-?\d+(\.\d*)?(e-?\d+)?$/.test(next) && checkAllAliases(next, flags.bools) === false) {
            setArg(letters[j], next);
            broken = true;
            break;
          }
          if (letters[j + 1] && letters[j + 1].match(/\W/)) {
            setArg(letters[j], next);
            broken = true;
            break;
          } else {
            setArg(letters[j], defaultValue(letters[j]));
          }
        }
        key = arg.slice(-1)[0];
        if (!broken && key !== "-") {
          if (checkAllAliases(key, flags.arrays)) {
            i = eatArray(i, key, args);
          } else if (checkAllAliases(key, flags.nargs) !== false) {
            i = eatNargs(i, key, args);
          } else {
            next = args[i + 1];
            if (next !== void 0 && (!/^(-|--)[^-]/.test(next) || next.match(negative)) && !checkAllAliases(key, flags.bools) && !checkAllAliases(key, flags.counts)) {
              setArg(key, next);
              i++;
            } else if (/^(true|false)$/.test(next)) {
              setArg(key, next);
              i++;
            } else {
              setArg(key, defaultValue(key));
            }
          }
        }
      } else if (arg.match(/^-[0-9]$/) && arg.match(negative) && checkAllAliases(arg.slice(1), flags.bools)) {
        key = arg.slice(1);
        setArg(key, defaultValue(key));
      } else if (arg === "--") {
        notFlags = args.slice(i + 1);
        break;
      } else if (configuration["halt-at-non-option"]) {
        notFlags = args.slice(i);
        break;
      } else {
        pushPositional(arg);
      }
    }
    applyEnvVars(argv, true);
    applyEnvVars(argv, false);
    setConfig(argv);
    setConfigObjects();
    applyDefaultsAndAliases(argv, flags.aliases, defaults, true);
    applyCoercions(argv);
    if (configuration["set-placeholder-key"])
      setPlaceholderKeys(argv);
    Object.keys(flags.counts).forEach(function(key) {
      if (!hasKey2(argv, key.split(".")))
        setArg(key, 0);
    });
    if (notFlagsOption && notFlags.length)
      argv[notFlagsArgv] = [];
    notFlags.forEach(function(key) {
      argv[notFlagsArgv].push(key);
    });
    if (configuration["camel-case-expansion"] && configuration["strip-dashed"]) {
      Object.keys(argv).filter((key) => key !== "--" && key.includes("-")).forEach((key) => {
        delete argv[key];
      });
    }
    if (configuration["strip-aliased"]) {
      ;
      [].concat(...Object.keys(aliases).map((k) => aliases[k])).forEach((alias) => {
        if (configuration["camel-case-expansion"] && alias.includes("-")) {
          delete argv[alias.split(".").map((prop) => camelCase(prop)).join(".")];
        }
        delete argv[alias];
      });
    }
    function pushPositional(arg) {
      const maybeCoercedNumber = maybeCoerceNumber("_", arg);
      if (typeof maybeCoercedNumber === "string" || typeof maybeCoercedNumber === "number") {
        argv._.push(maybeCoercedNumber);
      }
    }
    function eatNargs(i, key, args2, argAfterEqualSign) {
      let ii;
      let toEat = checkAllAliases(key, flags.nargs);
      toEat = typeof toEat !== "number" || isNaN(toEat) ? 1 : toEat;
      if (toEat === 0) {
        if (!isUndefined(argAfterEqualSign)) {
          error = Error(__("Argument unexpected for: %s", key));
        }
        setArg(key, defaultValue(key));
        return i;
      }
      let available = isUndefined(argAfterEqualSign) ? 0 : 1;
      if (configuration["nargs-eats-options"]) {
        if (args2.length - (i + 1) + available < toEat) {
          error = Error(__("Not enough arguments following: %s", key));
        }
        available = toEat;
      } else {
        for (ii = i + 1; ii < args2.length; ii++) {
          if (!args2[ii].match(/^-[^0-9]/) || args2[ii].match(negative) || isUnknownOptionAsArg(args2[ii]))
            available++;
          else
            break;
        }
        if (available < toEat)
          error = Error(__("Not enough arguments following: %s", key));
      }
      let consumed = Math.min(available, toEat);
      if (!isUndefined(argAfterEqualSign) && consumed > 0) {
        setArg(key, argAfterEqualSign);
        consumed--;
      }
      for (ii = i + 1; ii < consumed + i + 1; ii++) {
        setArg(key, args2[ii]);
      }
      return i + consumed;
    }
    function eatArray(i, key, args2, argAfterEqualSign) {
      let argsToSet = [];
      let next = argAfterEqualSign || args2[i + 1];
      const nargsCount = checkAllAliases(key, flags.nargs);
      if (checkAllAliases(key, flags.bools) && !/^(true|false)$/.test(next)) {
        argsToSet.push(true);
      } else if (isUndefined(next) || isUndefined(argAfterEqualSign) && /^-/.test(next) && !negative.test(next) && !isUnknownOptionAsArg(next)) {
        if (defaults[key] !== void 0) {
          const defVal = defaults[key];
          argsToSet = Array.isArray(defVal) ? defVal : [defVal];
        }
      } else {
        if (!isUndefined(argAfterEqualSign)) {
          argsToSet.push(processValue(key, argAfterEqualSign, true));
        }
        for (let ii = i + 1; ii < args2.length; ii++) {
          if (!configuration["greedy-arrays"] && argsToSet.length > 0 || nargsCount && typeof nargsCount === "number" && argsToSet.length >= nargsCount)
            break;
          next = args2[ii];
          if (/^-/.test(next) && !negative.test(next) && !isUnknownOptionAsArg(next))
            break;
          i = ii;
          argsToSet.push(processValue(key, next, inputIsString));
        }
      }
      if (typeof nargsCount === "number" && (nargsCount && argsToSet.length < nargsCount || isNaN(nargsCount) && argsToSet.length === 0)) {
        error = Error(__("Not enough arguments following: %s", key));
      }
      setArg(key, argsToSet);
      return i;
    }
    function setArg(key, val, shouldStripQuotes = inputIsString) {
      if (/-/.test(key) && configuration["camel-case-expansion"]) {
        const alias = key.split(".").map(function(prop) {
          return camelCase(prop);
        }).join(".");
        addNewAlias(key, alias);
      }
      const value = processValue(key, val, shouldStripQuotes);
      const splitKey = key.split(".");
      setKey(argv, splitKey, value);
      if (flags.aliases[key]) {
        flags.aliases[key].forEach(function(x) {
          const keyProperties = x.split(".");
          setKey(argv, keyProperties, value);
        });
      }
      if (splitKey.length > 1 && configuration["dot-notation"]) {
        ;
        (flags.aliases[splitKey[0]] || []).forEach(function(x) {
          let keyProperties = x.split(".");
          const a = [].concat(splitKey);
          a.shift();
          keyProperties = keyProperties.concat(a);
          if (!(flags.aliases[key] || []).includes(keyProperties.join("."))) {
            setKey(argv, keyProperties, value);
          }
        });
      }
      if (checkAllAliases(key, flags.normalize) && !checkAllAliases(key, flags.arrays)) {
        const keys = [key].concat(flags.aliases[key] || []);
        keys.forEach(function(key2) {
          Object.defineProperty(argvReturn, key2, {
            enumerable: true,
            get() {
              return val;
            },
            set(value2) {
              val = typeof value2 === "string" ? mixin2.normalize(value2) : value2;
            }
          });
        });
      }
    }
    function addNewAlias(key, alias) {
      if (!(flags.aliases[key] && flags.aliases[key].length)) {
        flags.aliases[key] = [alias];
        newAliases[alias] = true;
      }
      if (!(flags.aliases[alias] && flags.aliases[alias].length)) {
        addNewAlias(alias, key);
      }
    }
    function processValue(key, val, shouldStripQuotes) {
      if (shouldStripQuotes) {
        val = stripQuotes(val);
      }
      if (checkAllAliases(key, flags.bools) || checkAllAliases(key, flags.counts)) {
        if (typeof val === "string")
          val = val === "true";
      }
      let value = Array.isArray(val) ? val.map(function(v) {
        return maybeCoerceNumber(key, v);
      }) : maybeCoerceNumber(key, val);
      if (checkAllAliases(key, flags.counts) && (isUndefined(value) || typeof value === "boolean")) {
        value = increment();
      }
      if (checkAllAliases(key, flags.normalize) && checkAllAliases(key, flags.arrays)) {
        if (Array.isArray(val))
          value = val.map((val2) => {
            return mixin2.normalize(val2);
          });
        else
          value = mixin2.normalize(val);
      }
      return value;
    }
    function maybeCoerceNumber(key, value) {
      if (!configuration["parse-positional-numbers"] && key === "_")
        return value;
      if (!checkAllAliases(key, flags.strings) && !checkAllAliases(key, flags.bools) && !Array.isArray(value)) {
        const shouldCoerceNumber = looksLikeNumber(value) && configuration["parse-numbers"] && Number.isSafeInteger(Math.floor(parseFloat(`${value}`)));
        if (shouldCoerceNumber || !isUndefined(value) && checkAllAliases(key, flags.numbers)) {
          value = Number(value);
        }
      }
      return value;
    }
    function setConfig(argv2) {
      const configLookup = /* @__PURE__ */ Object.create(null);
      applyDefaultsAndAliases(configLookup, flags.aliases, defaults);
      Object.keys(flags.configs).forEach(function(configKey) {
        const configPath = argv2[configKey] || configLookup[configKey];
        if (configPath) {
          try {
            let config = null;
            const resolvedConfigPath = mixin2.resolve(mixin2.cwd(), configPath);
            const resolveConfig = flags.configs[configKey];
            if (typeof resolveConfig === "function") {
              try {
                config = resolveConfig(resolvedConfigPath);
              } catch (e) {
                config = e;
              }
              if (config instanceof Error) {
                error = config;
                return;
              }
            } else {
              config = mixin2.require(resolvedConfigPath);
            }
            setConfigObject(config);
          } catch (ex) {
            if (ex.name === "PermissionDenied")
              error = ex;
            else if (argv2[configKey])
              error = Error(__("Invalid JSON config file: %s", configPath));
          }
        }
      });
    }
    function setConfigObject(config, prev) {
      Object.keys(config).forEach(function(key) {
        const value = config[key];
        const fullKey = prev ? prev + "." + key : key;
        if (typeof value === "object" && value !== null && !Array.isArray(value) && configuration["dot-notation"]) {
          setConfigObject(value, fullKey);
        } else {
          if (!hasKey2(argv, fullKey.split(".")) || checkAllAliases(fullKey, flags.arrays) && configuration["combine-arrays"]) {
            setArg(fullKey, value);
          }
        }
      });
    }
    function setConfigObjects() {
      if (typeof configObjects !== "undefined") {
        configObjects.forEach(function(configObject) {
          setConfigObject(configObject);
        });
      }
    }
    function applyEnvVars(argv2, configOnly) {
      if (typeof envPrefix === "undefined")
        return;
      const prefix = typeof envPrefix === "string" ? envPrefix : "";
      const env3 = mixin2.env();
      Object.keys(env3).forEach(function(envVar) {
        if (prefix === "" || envVar.lastIndexOf(prefix, 0) === 0) {
          const keys = envVar.split("__").map(function(key, i) {
            if (i === 0) {
              key = key.substring(prefix.length);
            }
            return camelCase(key);
          });
          if ((configOnly && flags.configs[keys.join(".")] || !configOnly) && !hasKey2(argv2, keys)) {
            setArg(keys.join("."), env3[envVar]);
          }
        }
      });
    }
    function applyCoercions(argv2) {
      let coerce;
      const applied = /* @__PURE__ */ new Set();
      Object.keys(argv2).forEach(function(key) {
        if (!applied.has(key)) {
          coerce = checkAllAliases(key, flags.coercions);
          if (typeof coerce === "function") {
            try {
              const value = maybeCoerceNumber(key, coerce(argv2[key]));
              [].concat(flags.aliases[key] || [], key).forEach((ali) => {
                applied.add(ali);
                argv2[ali] = value;
              });
            } catch (err) {
              error = err;
            }
          }
        }
      });
    }
    function setPlaceholderKeys(argv2) {
      flags.keys.forEach((key) => {
        if (~key.indexOf("."))
          return;
        if (typeof argv2[key] === "undefined")
          argv2[key] = void 0;
      });
      return argv2;
    }
    function applyDefaultsAndAliases(obj, aliases2, defaults2, canLog = false) {
      Object.keys(defaults2).forEach(function(key) {
        if (!hasKey2(obj, key.split("."))) {
          setKey(obj, key.split("."), defaults2[key]);
          if (canLog)
            defaulted[key] = true;
          (aliases2[key] || []).forEach(function(x) {
            if (hasKey2(obj, x.split(".")))
              return;
            setKey(obj, x.split("."), defaults2[key]);
          });
        }
      });
    }
    function hasKey2(obj, keys) {
      let o = obj;
      if (!configuration["dot-notation"])
        keys = [keys.join(".")];
      keys.slice(0, -1).forEach(function(key2) {
        o = o[key2] || {};
      });
      const key = keys[keys.length - 1];
      if (typeof o !== "object")
        return false;
      else
        return key in o;
    }
    function setKey(obj, keys, value) {
      let o = obj;
      if (!configuration["dot-notation"])
        keys = [keys.join(".")];
      keys.slice(0, -1).forEach(function(key2) {
        key2 = sanitizeKey(key2);
        if (typeof o === "object" && o[key2] === void 0) {
          o[key2] = {};
        }
        if (typeof o[key2] !== "object" || Array.isArray(o[key2])) {
          if (Array.isArray(o[key2])) {
            o[key2].push({});
          } else {
            o[key2] = [o[key2], {}];
          }
          o = o[key2][o[key2].length - 1];
        } else {
          o = o[key2];
        }
      });
      const key = sanitizeKey(keys[keys.length - 1]);
      const isTypeArray = checkAllAliases(keys.join("."), flags.arrays);
      const isValueArray = Array.isArray(value);
      let duplicate = configuration["duplicate-arguments-array"];
      if (!duplicate && checkAllAliases(key, flags.nargs)) {
        duplicate = true;
        if (!isUndefined(o[key]) && flags.nargs[key] === 1 || Array.isArray(o[key]) && o[key].length === flags.nargs[key]) {
          o[key] = void 0;
        }
      }
      if (value === increment()) {
        o[key] = increment(o[key]);
      } else if (Array.isArray(o[key])) {
        if (duplicate && isTypeArray && isValueArray) {
          o[key] = configuration["flatten-duplicate-arrays"] ? o[key].concat(value) : (Array.isArray(o[key][0]) ? o[key] : [o[key]]).concat([value]);
        } else if (!duplicate && Boolean(isTypeArray) === Boolean(isValueArray)) {
          o[key] = value;
        } else {
          o[key] = o[key].concat([value]);
        }
      } else if (o[key] === void 0 && isTypeArray) {
        o[key] = isValueArray ? value : [value];
      } else if (duplicate && !(o[key] === void 0 || checkAllAliases(key, flags.counts) || checkAllAliases(key, flags.bools))) {
        o[key] = [o[key], value];
      } else {
        o[key] = value;
      }
    }
    function extendAliases(...args2) {
      args2.forEach(function(obj) {
        Object.keys(obj || {}).forEach(function(key) {
          if (flags.aliases[key])
            return;
          flags.aliases[key] = [].concat(aliases[key] || []);
          flags.aliases[key].concat(key).forEach(function(x) {
            if (/-/.test(x) && configuration["camel-case-expansion"]) {
              const c = camelCase(x);
              if (c !== key && flags.aliases[key].indexOf(c) === -1) {
                flags.aliases[key].push(c);
                newAliases[c] = true;
              }
            }
          });
          flags.aliases[key].concat(key).forEach(function(x) {
            if (x.length > 1 && /[A-Z]/.test(x) && configuration["camel-case-expansion"]) {
              const c = decamelize(x, "-");
              if (c !== key && flags.aliases[key].indexOf(c) === -1) {
                flags.aliases[key].push(c);
                newAliases[c] = true;
              }
            }
          });
          flags.aliases[key].forEach(function(x) {
            flags.aliases[x] = [key].concat(flags.aliases[key].filter(function(y) {
              return x !== y;
            }));
          });
        });
      });
    }
    function checkAllAliases(key, flag) {
      const toCheck = [].concat(flags.aliases[key] || [], key);
      const keys = Object.keys(flag);
      const setAlias = toCheck.find((key2) => keys.includes(key2));
      return setAlias ? flag[setAlias] : false;
    }
    function hasAnyFlag(key) {
      const flagsKeys = Object.keys(flags);
      const toCheck = [].concat(flagsKeys.map((k) => flags[k]));
      return toCheck.some(function(flag) {
        return Array.isArray(flag) ? flag.includes(key) : flag[key];
      });
    }
    function hasFlagsMatching(arg, ...patterns) {
      const toCheck = [].concat(...patterns);
      return toCheck.some(function(pattern) {
        const match = arg.match(pattern);
        return match && hasAnyFlag(match[1]);
      });
    }
    function hasAllShortFlags(arg) {
      if (arg.match(negative) || !arg.match(/^-[^-]+/)) {
        return false;
      }
      let hasAllFlags = true;
      let next;
      const letters = arg.slice(1).split("");
      for (let j = 0; j < letters.length; j++) {
        next = arg.slice(j + 2);
        if (!hasAnyFlag(letters[j])) {
          hasAllFlags = false;
          break;
        }
        if (letters[j + 1] && letters[j + 1] === "=" || next === "-" || /[A-Za-z]/.test(letters[j]) && /^-?\d+(\.\d*)?(e-?\d+)?$/.test(next) || letters[j + 1] && letters[j + 1].match(/\W/)) {
          break;
        }
      }
      return hasAllFlags;
    }
    function isUnknownOptionAsArg(arg) {
      return configuration["unknown-options-as-args"] && isUnknownOption(arg);
    }
    function isUnknownOption(arg) {
      arg = arg.replace(/^-{3,}/, "--");
      if (arg.match(negative)) {
        return false;
      }
      if (hasAllShortFlags(arg)) {
        return false;
      }
      const flagWithEquals = /^-+([^=]+?)=[\s\S]*$/;
      const normalFlag = /^-+([^=]+?)$/;
      const flagEndingInHyphen = /^-+([^=]+?)-$/;
      const flagEndingInDigits = /^-+([^=]+?\d+)$/;
      const flagEndingInNonWordCharacters = /^-+([^=]+?)\W+.*$/;
      return !hasFlagsMatching(arg, flagWithEquals, negatedBoolean, normalFlag, flagEndingInHyphen, flagEndingInDigits, flagEndingInNonWordCharacters);
    }
    function defaultValue(key) {
      if (!checkAllAliases(key, flags.bools) && !checkAllAliases(key, flags.counts) && `${key}` in defaults) {
        return defaults[key];
      } else {
        return defaultForType(guessType2(key));
      }
    }
    function defaultForType(type2) {
      const def = {
        [DefaultValuesForTypeKey.BOOLEAN]: true,
        [DefaultValuesForTypeKey.STRING]: "",
        [DefaultValuesForTypeKey.NUMBER]: void 0,
        [DefaultValuesForTypeKey.ARRAY]: []
      };
      return def[type2];
    }
    function guessType2(key) {
      let type2 = DefaultValuesForTypeKey.BOOLEAN;
      if (checkAllAliases(key, flags.strings))
        type2 = DefaultValuesForTypeKey.STRING;
      else if (checkAllAliases(key, flags.numbers))
        type2 = DefaultValuesForTypeKey.NUMBER;
      else if (checkAllAliases(key, flags.bools))
        type2 = DefaultValuesForTypeKey.BOOLEAN;
      else if (checkAllAliases(key, flags.arrays))
        type2 = DefaultValuesForTypeKey.ARRAY;
      return type2;
    }
    function isUndefined(num) {
      return num === void 0;
    }
    function checkConfiguration() {
      Object.keys(flags.counts).find((key) => {
        if (checkAllAliases(key, flags.arrays)) {
          error = Error(__("Invalid configuration: %s, opts.count excludes opts.array.", key));
          return true;
        } else if (checkAllAliases(key, flags.nargs)) {
          error = Error(__("Invalid configuration: %s, opts.count excludes opts.narg.", key));
          return true;
        }
        return false;
      });
    }
    return {
      aliases: Object.assign({}, flags.aliases),
      argv: Object.assign(argvReturn, argv),
      configuration,
      defaulted: Object.assign({}, defaulted),
      error,
      newAliases: Object.assign({}, newAliases)
    };
  }
};
function combineAliases(aliases) {
  const aliasArrays = [];
  const combined = /* @__PURE__ */ Object.create(null);
  let change = true;
  Object.keys(aliases).forEach(function(key) {
    aliasArrays.push([].concat(aliases[key], key));
  });
  while (change) {
    change = false;
    for (let i = 0; i < aliasArrays.length; i++) {
      for (let ii = i + 1; ii < aliasArrays.length; ii++) {
        const intersect = aliasArrays[i].filter(function(v) {
          return aliasArrays[ii].indexOf(v) !== -1;
        });
        if (intersect.length) {
          aliasArrays[i] = aliasArrays[i].concat(aliasArrays[ii]);
          aliasArrays.splice(ii, 1);
          change = true;
          break;
        }
      }
    }
  }
  aliasArrays.forEach(function(aliasArray) {
    aliasArray = aliasArray.filter(function(v, i, self) {
      return self.indexOf(v) === i;
    });
    const lastAlias = aliasArray.pop();
    if (lastAlias !== void 0 && typeof lastAlias === "string") {
      combined[lastAlias] = aliasArray;
    }
  });
  return combined;
}
function increment(orig) {
  return orig !== void 0 ? orig + 1 : 1;
}
function sanitizeKey(key) {
  if (key === "__proto__")
    return "___proto___";
  return key;
}
function stripQuotes(val) {
  return typeof val === "string" && (val[0] === "'" || val[0] === '"') && val[val.length - 1] === val[0] ? val.substring(1, val.length - 1) : val;
}

// node_modules/yargs-parser/build/lib/index.js
var import_fs2 = require("fs");
var _a;
var _b;
var _c;
var minNodeVersion = process && process.env && process.env.YARGS_MIN_NODE_VERSION ? Number(process.env.YARGS_MIN_NODE_VERSION) : 12;
var nodeVersion = (_b = (_a = process === null || process === void 0 ? void 0 : process.versions) === null || _a === void 0 ? void 0 : _a.node) !== null && _b !== void 0 ? _b : (_c = process === null || process === void 0 ? void 0 : process.version) === null || _c === void 0 ? void 0 : _c.slice(1);
if (nodeVersion) {
  const major = Number(nodeVersion.match(/^([^.]+)/)[1]);
  if (major < minNodeVersion) {
    throw Error(`yargs parser supports a minimum Node.js version of ${minNodeVersion}. Read our version support policy: https://github.com/yargs/yargs-parser#supported-nodejs-versions`);
  }
}
var env = process ? process.env : {};
var parser = new YargsParser({
  cwd: process.cwd,
  env: () => {
    return env;
  },
  format: import_util.format,
  normalize: import_path2.normalize,
  resolve: import_path2.resolve,
  // TODO: figure  out a  way to combine ESM and CJS coverage, such  that
  // we can exercise all the lines below:
  require: (path) => {
    if (typeof require !== "undefined") {
      return require(path);
    } else if (path.match(/\.json$/)) {
      return JSON.parse((0, import_fs2.readFileSync)(path, "utf8"));
    } else {
      throw Error("only .json config files are supported in ESM");
    }
  }
});
var yargsParser = function Parser(args, opts) {
  const result = parser.parse(args.slice(), opts);
  return result.argv;
};
yargsParser.detailed = function(args, opts) {
  return parser.parse(args.slice(), opts);
};
yargsParser.camelCase = camelCase;
yargsParser.decamelize = decamelize;
yargsParser.looksLikeNumber = looksLikeNumber;
var lib_default = yargsParser;

// node_modules/yargs/lib/platform-shims/esm.mjs
var import_path4 = require("path");

// node_modules/yargs/build/lib/utils/process-argv.js
init_import_meta_url();
function getProcessArgvBinIndex() {
  if (isBundledElectronApp())
    return 0;
  return 1;
}
function isBundledElectronApp() {
  return isElectronApp() && !process.defaultApp;
}
function isElectronApp() {
  return !!process.versions.electron;
}
function getProcessArgvBin() {
  return process.argv[getProcessArgvBinIndex()];
}

// node_modules/yargs/build/lib/yerror.js
init_import_meta_url();
var YError = class _YError extends Error {
  constructor(msg) {
    super(msg || "yargs error");
    this.name = "YError";
    if (Error.captureStackTrace) {
      Error.captureStackTrace(this, _YError);
    }
  }
};

// node_modules/y18n/index.mjs
init_import_meta_url();

// node_modules/y18n/build/lib/platform-shims/node.js
init_import_meta_url();
var import_fs3 = require("fs");
var import_util2 = require("util");
var import_path3 = require("path");
var node_default = {
  fs: {
    readFileSync: import_fs3.readFileSync,
    writeFile: import_fs3.writeFile
  },
  format: import_util2.format,
  resolve: import_path3.resolve,
  exists: (file) => {
    try {
      return (0, import_fs3.statSync)(file).isFile();
    } catch (err) {
      return false;
    }
  }
};

// node_modules/y18n/build/lib/index.js
init_import_meta_url();
var shim;
var Y18N = class {
  constructor(opts) {
    opts = opts || {};
    this.directory = opts.directory || "./locales";
    this.updateFiles = typeof opts.updateFiles === "boolean" ? opts.updateFiles : true;
    this.locale = opts.locale || "en";
    this.fallbackToLanguage = typeof opts.fallbackToLanguage === "boolean" ? opts.fallbackToLanguage : true;
    this.cache = /* @__PURE__ */ Object.create(null);
    this.writeQueue = [];
  }
  __(...args) {
    if (typeof arguments[0] !== "string") {
      return this._taggedLiteral(arguments[0], ...arguments);
    }
    const str = args.shift();
    let cb = function() {
    };
    if (typeof args[args.length - 1] === "function")
      cb = args.pop();
    cb = cb || function() {
    };
    if (!this.cache[this.locale])
      this._readLocaleFile();
    if (!this.cache[this.locale][str] && this.updateFiles) {
      this.cache[this.locale][str] = str;
      this._enqueueWrite({
        directory: this.directory,
        locale: this.locale,
        cb
      });
    } else {
      cb();
    }
    return shim.format.apply(shim.format, [this.cache[this.locale][str] || str].concat(args));
  }
  __n() {
    const args = Array.prototype.slice.call(arguments);
    const singular = args.shift();
    const plural = args.shift();
    const quantity = args.shift();
    let cb = function() {
    };
    if (typeof args[args.length - 1] === "function")
      cb = args.pop();
    if (!this.cache[this.locale])
      this._readLocaleFile();
    let str = quantity === 1 ? singular : plural;
    if (this.cache[this.locale][singular]) {
      const entry = this.cache[this.locale][singular];
      str = entry[quantity === 1 ? "one" : "other"];
    }
    if (!this.cache[this.locale][singular] && this.updateFiles) {
      this.cache[this.locale][singular] = {
        one: singular,
        other: plural
      };
      this._enqueueWrite({
        directory: this.directory,
        locale: this.locale,
        cb
      });
    } else {
      cb();
    }
    const values = [str];
    if (~str.indexOf("%d"))
      values.push(quantity);
    return shim.format.apply(shim.format, values.concat(args));
  }
  setLocale(locale) {
    this.locale = locale;
  }
  getLocale() {
    return this.locale;
  }
  updateLocale(obj) {
    if (!this.cache[this.locale])
      this._readLocaleFile();
    for (const key in obj) {
      if (Object.prototype.hasOwnProperty.call(obj, key)) {
        this.cache[this.locale][key] = obj[key];
      }
    }
  }
  _taggedLiteral(parts, ...args) {
    let str = "";
    parts.forEach(function(part, i) {
      const arg = args[i + 1];
      str += part;
      if (typeof arg !== "undefined") {
        str += "%s";
      }
    });
    return this.__.apply(this, [str].concat([].slice.call(args, 1)));
  }
  _enqueueWrite(work) {
    this.writeQueue.push(work);
    if (this.writeQueue.length === 1)
      this._processWriteQueue();
  }
  _processWriteQueue() {
    const _this = this;
    const work = this.writeQueue[0];
    const directory = work.directory;
    const locale = work.locale;
    const cb = work.cb;
    const languageFile = this._resolveLocaleFile(directory, locale);
    const serializedLocale = JSON.stringify(this.cache[locale], null, 2);
    shim.fs.writeFile(languageFile, serializedLocale, "utf-8", function(err) {
      _this.writeQueue.shift();
      if (_this.writeQueue.length > 0)
        _this._processWriteQueue();
      cb(err);
    });
  }
  _readLocaleFile() {
    let localeLookup = {};
    const languageFile = this._resolveLocaleFile(this.directory, this.locale);
    try {
      if (shim.fs.readFileSync) {
        localeLookup = JSON.parse(shim.fs.readFileSync(languageFile, "utf-8"));
      }
    } catch (err) {
      if (err instanceof SyntaxError) {
        err.message = "syntax error in " + languageFile;
      }
      if (err.code === "ENOENT")
        localeLookup = {};
      else
        throw err;
    }
    this.cache[this.locale] = localeLookup;
  }
  _resolveLocaleFile(directory, locale) {
    let file = shim.resolve(directory, "./", locale + ".json");
    if (this.fallbackToLanguage && !this._fileExistsSync(file) && ~locale.lastIndexOf("_")) {
      const languageFile = shim.resolve(directory, "./", locale.split("_")[0] + ".json");
      if (this._fileExistsSync(languageFile))
        file = languageFile;
    }
    return file;
  }
  _fileExistsSync(file) {
    return shim.exists(file);
  }
};
function y18n(opts, _shim) {
  shim = _shim;
  const y18n3 = new Y18N(opts);
  return {
    __: y18n3.__.bind(y18n3),
    __n: y18n3.__n.bind(y18n3),
    setLocale: y18n3.setLocale.bind(y18n3),
    getLocale: y18n3.getLocale.bind(y18n3),
    updateLocale: y18n3.updateLocale.bind(y18n3),
    locale: y18n3.locale
  };
}

// node_modules/y18n/index.mjs
var y18n2 = (opts) => {
  return y18n(opts, node_default);
};
var y18n_default = y18n2;

// node_modules/yargs/lib/platform-shims/esm.mjs
var REQUIRE_ERROR = "require is not supported by ESM";
var REQUIRE_DIRECTORY_ERROR = "loading a directory of commands is not supported yet for ESM";
var __dirname;
try {
  __dirname = (0, import_url.fileURLToPath)(importMetaUrl);
} catch (e) {
  __dirname = process.cwd();
}
var mainFilename = __dirname.substring(0, __dirname.lastIndexOf("node_modules"));
var esm_default = {
  assert: {
    notStrictEqual: import_assert.notStrictEqual,
    strictEqual: import_assert.strictEqual
  },
  cliui: ui,
  findUp: sync_default,
  getEnv: (key) => {
    return process.env[key];
  },
  inspect: import_util3.inspect,
  getCallerFile: () => {
    throw new YError(REQUIRE_DIRECTORY_ERROR);
  },
  getProcessArgvBin,
  mainFilename: mainFilename || process.cwd(),
  Parser: lib_default,
  path: {
    basename: import_path4.basename,
    dirname: import_path4.dirname,
    extname: import_path4.extname,
    relative: import_path4.relative,
    resolve: import_path4.resolve
  },
  process: {
    argv: () => process.argv,
    cwd: process.cwd,
    emitWarning: (warning, type2) => process.emitWarning(warning, type2),
    execPath: () => process.execPath,
    exit: process.exit,
    nextTick: process.nextTick,
    stdColumns: typeof process.stdout.columns !== "undefined" ? process.stdout.columns : null
  },
  readFileSync: import_fs4.readFileSync,
  require: () => {
    throw new YError(REQUIRE_ERROR);
  },
  requireDirectory: () => {
    throw new YError(REQUIRE_DIRECTORY_ERROR);
  },
  stringWidth: (str) => {
    return [...str].length;
  },
  y18n: y18n_default({
    directory: (0, import_path4.resolve)(__dirname, "../../../locales"),
    updateFiles: false
  })
};

// node_modules/yargs/build/lib/yargs-factory.js
init_import_meta_url();

// node_modules/yargs/build/lib/command.js
init_import_meta_url();

// node_modules/yargs/build/lib/typings/common-types.js
init_import_meta_url();
function assertNotStrictEqual(actual, expected, shim3, message2) {
  shim3.assert.notStrictEqual(actual, expected, message2);
}
function assertSingleKey(actual, shim3) {
  shim3.assert.strictEqual(typeof actual, "string");
}
function objectKeys(object) {
  return Object.keys(object);
}

// node_modules/yargs/build/lib/utils/is-promise.js
init_import_meta_url();
function isPromise(maybePromise) {
  return !!maybePromise && !!maybePromise.then && typeof maybePromise.then === "function";
}

// node_modules/yargs/build/lib/middleware.js
init_import_meta_url();

// node_modules/yargs/build/lib/argsert.js
init_import_meta_url();

// node_modules/yargs/build/lib/parse-command.js
init_import_meta_url();
function parseCommand(cmd) {
  const extraSpacesStrippedCommand = cmd.replace(/\s{2,}/g, " ");
  const splitCommand = extraSpacesStrippedCommand.split(/\s+(?![^[]*]|[^<]*>)/);
  const bregex = /\.*[\][<>]/g;
  const firstCommand = splitCommand.shift();
  if (!firstCommand)
    throw new Error(`No command found in: ${cmd}`);
  const parsedCommand = {
    cmd: firstCommand.replace(bregex, ""),
    demanded: [],
    optional: []
  };
  splitCommand.forEach((cmd2, i) => {
    let variadic = false;
    cmd2 = cmd2.replace(/\s/g, "");
    if (/\.+[\]>]/.test(cmd2) && i === splitCommand.length - 1)
      variadic = true;
    if (/^\[/.test(cmd2)) {
      parsedCommand.optional.push({
        cmd: cmd2.replace(bregex, "").split("|"),
        variadic
      });
    } else {
      parsedCommand.demanded.push({
        cmd: cmd2.replace(bregex, "").split("|"),
        variadic
      });
    }
  });
  return parsedCommand;
}

// node_modules/yargs/build/lib/argsert.js
var positionName = ["first", "second", "third", "fourth", "fifth", "sixth"];
function argsert(arg1, arg2, arg3) {
  function parseArgs2() {
    return typeof arg1 === "object" ? [{ demanded: [], optional: [] }, arg1, arg2] : [
      parseCommand(`cmd ${arg1}`),
      arg2,
      arg3
    ];
  }
  try {
    let position = 0;
    const [parsed, callerArguments, _length] = parseArgs2();
    const args = [].slice.call(callerArguments);
    while (args.length && args[args.length - 1] === void 0)
      args.pop();
    const length = _length || args.length;
    if (length < parsed.demanded.length) {
      throw new YError(`Not enough arguments provided. Expected ${parsed.demanded.length} but received ${args.length}.`);
    }
    const totalCommands = parsed.demanded.length + parsed.optional.length;
    if (length > totalCommands) {
      throw new YError(`Too many arguments provided. Expected max ${totalCommands} but received ${length}.`);
    }
    parsed.demanded.forEach((demanded) => {
      const arg = args.shift();
      const observedType = guessType(arg);
      const matchingTypes = demanded.cmd.filter((type2) => type2 === observedType || type2 === "*");
      if (matchingTypes.length === 0)
        argumentTypeError(observedType, demanded.cmd, position);
      position += 1;
    });
    parsed.optional.forEach((optional) => {
      if (args.length === 0)
        return;
      const arg = args.shift();
      const observedType = guessType(arg);
      const matchingTypes = optional.cmd.filter((type2) => type2 === observedType || type2 === "*");
      if (matchingTypes.length === 0)
        argumentTypeError(observedType, optional.cmd, position);
      position += 1;
    });
  } catch (err) {
    console.warn(err.stack);
  }
}
function guessType(arg) {
  if (Array.isArray(arg)) {
    return "array";
  } else if (arg === null) {
    return "null";
  }
  return typeof arg;
}
function argumentTypeError(observedType, allowedTypes, position) {
  throw new YError(`Invalid ${positionName[position] || "manyith"} argument. Expected ${allowedTypes.join(" or ")} but received ${observedType}.`);
}

// node_modules/yargs/build/lib/middleware.js
var GlobalMiddleware = class {
  constructor(yargs) {
    this.globalMiddleware = [];
    this.frozens = [];
    this.yargs = yargs;
  }
  addMiddleware(callback, applyBeforeValidation, global2 = true, mutates = false) {
    argsert("<array|function> [boolean] [boolean] [boolean]", [callback, applyBeforeValidation, global2], arguments.length);
    if (Array.isArray(callback)) {
      for (let i = 0; i < callback.length; i++) {
        if (typeof callback[i] !== "function") {
          throw Error("middleware must be a function");
        }
        const m = callback[i];
        m.applyBeforeValidation = applyBeforeValidation;
        m.global = global2;
      }
      Array.prototype.push.apply(this.globalMiddleware, callback);
    } else if (typeof callback === "function") {
      const m = callback;
      m.applyBeforeValidation = applyBeforeValidation;
      m.global = global2;
      m.mutates = mutates;
      this.globalMiddleware.push(callback);
    }
    return this.yargs;
  }
  addCoerceMiddleware(callback, option) {
    const aliases = this.yargs.getAliases();
    this.globalMiddleware = this.globalMiddleware.filter((m) => {
      const toCheck = [...aliases[option] || [], option];
      if (!m.option)
        return true;
      else
        return !toCheck.includes(m.option);
    });
    callback.option = option;
    return this.addMiddleware(callback, true, true, true);
  }
  getMiddleware() {
    return this.globalMiddleware;
  }
  freeze() {
    this.frozens.push([...this.globalMiddleware]);
  }
  unfreeze() {
    const frozen = this.frozens.pop();
    if (frozen !== void 0)
      this.globalMiddleware = frozen;
  }
  reset() {
    this.globalMiddleware = this.globalMiddleware.filter((m) => m.global);
  }
};
function commandMiddlewareFactory(commandMiddleware) {
  if (!commandMiddleware)
    return [];
  return commandMiddleware.map((middleware) => {
    middleware.applyBeforeValidation = false;
    return middleware;
  });
}
function applyMiddleware(argv, yargs, middlewares, beforeValidation) {
  return middlewares.reduce((acc, middleware) => {
    if (middleware.applyBeforeValidation !== beforeValidation) {
      return acc;
    }
    if (middleware.mutates) {
      if (middleware.applied)
        return acc;
      middleware.applied = true;
    }
    if (isPromise(acc)) {
      return acc.then((initialObj) => Promise.all([initialObj, middleware(initialObj, yargs)])).then(([initialObj, middlewareObj]) => Object.assign(initialObj, middlewareObj));
    } else {
      const result = middleware(acc, yargs);
      return isPromise(result) ? result.then((middlewareObj) => Object.assign(acc, middlewareObj)) : Object.assign(acc, result);
    }
  }, argv);
}

// node_modules/yargs/build/lib/utils/maybe-async-result.js
init_import_meta_url();
function maybeAsyncResult(getResult, resultHandler, errorHandler = (err) => {
  throw err;
}) {
  try {
    const result = isFunction(getResult) ? getResult() : getResult;
    return isPromise(result) ? result.then((result2) => resultHandler(result2)) : resultHandler(result);
  } catch (err) {
    return errorHandler(err);
  }
}
function isFunction(arg) {
  return typeof arg === "function";
}

// node_modules/yargs/build/lib/utils/which-module.js
init_import_meta_url();
function whichModule(exported) {
  if (typeof require === "undefined")
    return null;
  for (let i = 0, files = Object.keys(require.cache), mod; i < files.length; i++) {
    mod = require.cache[files[i]];
    if (mod.exports === exported)
      return mod;
  }
  return null;
}

// node_modules/yargs/build/lib/command.js
var DEFAULT_MARKER = /(^\*)|(^\$0)/;
var CommandInstance = class {
  constructor(usage2, validation2, globalMiddleware, shim3) {
    this.requireCache = /* @__PURE__ */ new Set();
    this.handlers = {};
    this.aliasMap = {};
    this.frozens = [];
    this.shim = shim3;
    this.usage = usage2;
    this.globalMiddleware = globalMiddleware;
    this.validation = validation2;
  }
  addDirectory(dir, req, callerFile, opts) {
    opts = opts || {};
    if (typeof opts.recurse !== "boolean")
      opts.recurse = false;
    if (!Array.isArray(opts.extensions))
      opts.extensions = ["js"];
    const parentVisit = typeof opts.visit === "function" ? opts.visit : (o) => o;
    opts.visit = (obj, joined, filename) => {
      const visited = parentVisit(obj, joined, filename);
      if (visited) {
        if (this.requireCache.has(joined))
          return visited;
        else
          this.requireCache.add(joined);
        this.addHandler(visited);
      }
      return visited;
    };
    this.shim.requireDirectory({ require: req, filename: callerFile }, dir, opts);
  }
  addHandler(cmd, description, builder, handler, commandMiddleware, deprecated) {
    let aliases = [];
    const middlewares = commandMiddlewareFactory(commandMiddleware);
    handler = handler || (() => {
    });
    if (Array.isArray(cmd)) {
      if (isCommandAndAliases(cmd)) {
        [cmd, ...aliases] = cmd;
      } else {
        for (const command2 of cmd) {
          this.addHandler(command2);
        }
      }
    } else if (isCommandHandlerDefinition(cmd)) {
      let command2 = Array.isArray(cmd.command) || typeof cmd.command === "string" ? cmd.command : this.moduleName(cmd);
      if (cmd.aliases)
        command2 = [].concat(command2).concat(cmd.aliases);
      this.addHandler(command2, this.extractDesc(cmd), cmd.builder, cmd.handler, cmd.middlewares, cmd.deprecated);
      return;
    } else if (isCommandBuilderDefinition(builder)) {
      this.addHandler([cmd].concat(aliases), description, builder.builder, builder.handler, builder.middlewares, builder.deprecated);
      return;
    }
    if (typeof cmd === "string") {
      const parsedCommand = parseCommand(cmd);
      aliases = aliases.map((alias) => parseCommand(alias).cmd);
      let isDefault = false;
      const parsedAliases = [parsedCommand.cmd].concat(aliases).filter((c) => {
        if (DEFAULT_MARKER.test(c)) {
          isDefault = true;
          return false;
        }
        return true;
      });
      if (parsedAliases.length === 0 && isDefault)
        parsedAliases.push("$0");
      if (isDefault) {
        parsedCommand.cmd = parsedAliases[0];
        aliases = parsedAliases.slice(1);
        cmd = cmd.replace(DEFAULT_MARKER, parsedCommand.cmd);
      }
      aliases.forEach((alias) => {
        this.aliasMap[alias] = parsedCommand.cmd;
      });
      if (description !== false) {
        this.usage.command(cmd, description, isDefault, aliases, deprecated);
      }
      this.handlers[parsedCommand.cmd] = {
        original: cmd,
        description,
        handler,
        builder: builder || {},
        middlewares,
        deprecated,
        demanded: parsedCommand.demanded,
        optional: parsedCommand.optional
      };
      if (isDefault)
        this.defaultCommand = this.handlers[parsedCommand.cmd];
    }
  }
  getCommandHandlers() {
    return this.handlers;
  }
  getCommands() {
    return Object.keys(this.handlers).concat(Object.keys(this.aliasMap));
  }
  hasDefaultCommand() {
    return !!this.defaultCommand;
  }
  runCommand(command2, yargs, parsed, commandIndex, helpOnly, helpOrVersionSet) {
    const commandHandler = this.handlers[command2] || this.handlers[this.aliasMap[command2]] || this.defaultCommand;
    const currentContext = yargs.getInternalMethods().getContext();
    const parentCommands = currentContext.commands.slice();
    const isDefaultCommand = !command2;
    if (command2) {
      currentContext.commands.push(command2);
      currentContext.fullCommands.push(commandHandler.original);
    }
    const builderResult = this.applyBuilderUpdateUsageAndParse(isDefaultCommand, commandHandler, yargs, parsed.aliases, parentCommands, commandIndex, helpOnly, helpOrVersionSet);
    return isPromise(builderResult) ? builderResult.then((result) => this.applyMiddlewareAndGetResult(isDefaultCommand, commandHandler, result.innerArgv, currentContext, helpOnly, result.aliases, yargs)) : this.applyMiddlewareAndGetResult(isDefaultCommand, commandHandler, builderResult.innerArgv, currentContext, helpOnly, builderResult.aliases, yargs);
  }
  applyBuilderUpdateUsageAndParse(isDefaultCommand, commandHandler, yargs, aliases, parentCommands, commandIndex, helpOnly, helpOrVersionSet) {
    const builder = commandHandler.builder;
    let innerYargs = yargs;
    if (isCommandBuilderCallback(builder)) {
      yargs.getInternalMethods().getUsageInstance().freeze();
      const builderOutput = builder(yargs.getInternalMethods().reset(aliases), helpOrVersionSet);
      if (isPromise(builderOutput)) {
        return builderOutput.then((output) => {
          innerYargs = isYargsInstance(output) ? output : yargs;
          return this.parseAndUpdateUsage(isDefaultCommand, commandHandler, innerYargs, parentCommands, commandIndex, helpOnly);
        });
      }
    } else if (isCommandBuilderOptionDefinitions(builder)) {
      yargs.getInternalMethods().getUsageInstance().freeze();
      innerYargs = yargs.getInternalMethods().reset(aliases);
      Object.keys(commandHandler.builder).forEach((key) => {
        innerYargs.option(key, builder[key]);
      });
    }
    return this.parseAndUpdateUsage(isDefaultCommand, commandHandler, innerYargs, parentCommands, commandIndex, helpOnly);
  }
  parseAndUpdateUsage(isDefaultCommand, commandHandler, innerYargs, parentCommands, commandIndex, helpOnly) {
    if (isDefaultCommand)
      innerYargs.getInternalMethods().getUsageInstance().unfreeze(true);
    if (this.shouldUpdateUsage(innerYargs)) {
      innerYargs.getInternalMethods().getUsageInstance().usage(this.usageFromParentCommandsCommandHandler(parentCommands, commandHandler), commandHandler.description);
    }
    const innerArgv = innerYargs.getInternalMethods().runYargsParserAndExecuteCommands(null, void 0, true, commandIndex, helpOnly);
    return isPromise(innerArgv) ? innerArgv.then((argv) => ({
      aliases: innerYargs.parsed.aliases,
      innerArgv: argv
    })) : {
      aliases: innerYargs.parsed.aliases,
      innerArgv
    };
  }
  shouldUpdateUsage(yargs) {
    return !yargs.getInternalMethods().getUsageInstance().getUsageDisabled() && yargs.getInternalMethods().getUsageInstance().getUsage().length === 0;
  }
  usageFromParentCommandsCommandHandler(parentCommands, commandHandler) {
    const c = DEFAULT_MARKER.test(commandHandler.original) ? commandHandler.original.replace(DEFAULT_MARKER, "").trim() : commandHandler.original;
    const pc = parentCommands.filter((c2) => {
      return !DEFAULT_MARKER.test(c2);
    });
    pc.push(c);
    return `$0 ${pc.join(" ")}`;
  }
  handleValidationAndGetResult(isDefaultCommand, commandHandler, innerArgv, currentContext, aliases, yargs, middlewares, positionalMap) {
    if (!yargs.getInternalMethods().getHasOutput()) {
      const validation2 = yargs.getInternalMethods().runValidation(aliases, positionalMap, yargs.parsed.error, isDefaultCommand);
      innerArgv = maybeAsyncResult(innerArgv, (result) => {
        validation2(result);
        return result;
      });
    }
    if (commandHandler.handler && !yargs.getInternalMethods().getHasOutput()) {
      yargs.getInternalMethods().setHasOutput();
      const populateDoubleDash = !!yargs.getOptions().configuration["populate--"];
      yargs.getInternalMethods().postProcess(innerArgv, populateDoubleDash, false, false);
      innerArgv = applyMiddleware(innerArgv, yargs, middlewares, false);
      innerArgv = maybeAsyncResult(innerArgv, (result) => {
        const handlerResult = commandHandler.handler(result);
        return isPromise(handlerResult) ? handlerResult.then(() => result) : result;
      });
      if (!isDefaultCommand) {
        yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();
      }
      if (isPromise(innerArgv) && !yargs.getInternalMethods().hasParseCallback()) {
        innerArgv.catch((error) => {
          try {
            yargs.getInternalMethods().getUsageInstance().fail(null, error);
          } catch (_err) {
          }
        });
      }
    }
    if (!isDefaultCommand) {
      currentContext.commands.pop();
      currentContext.fullCommands.pop();
    }
    return innerArgv;
  }
  applyMiddlewareAndGetResult(isDefaultCommand, commandHandler, innerArgv, currentContext, helpOnly, aliases, yargs) {
    let positionalMap = {};
    if (helpOnly)
      return innerArgv;
    if (!yargs.getInternalMethods().getHasOutput()) {
      positionalMap = this.populatePositionals(commandHandler, innerArgv, currentContext, yargs);
    }
    const middlewares = this.globalMiddleware.getMiddleware().slice(0).concat(commandHandler.middlewares);
    const maybePromiseArgv = applyMiddleware(innerArgv, yargs, middlewares, true);
    return isPromise(maybePromiseArgv) ? maybePromiseArgv.then((resolvedInnerArgv) => this.handleValidationAndGetResult(isDefaultCommand, commandHandler, resolvedInnerArgv, currentContext, aliases, yargs, middlewares, positionalMap)) : this.handleValidationAndGetResult(isDefaultCommand, commandHandler, maybePromiseArgv, currentContext, aliases, yargs, middlewares, positionalMap);
  }
  populatePositionals(commandHandler, argv, context, yargs) {
    argv._ = argv._.slice(context.commands.length);
    const demanded = commandHandler.demanded.slice(0);
    const optional = commandHandler.optional.slice(0);
    const positionalMap = {};
    this.validation.positionalCount(demanded.length, argv._.length);
    while (demanded.length) {
      const demand = demanded.shift();
      this.populatePositional(demand, argv, positionalMap);
    }
    while (optional.length) {
      const maybe = optional.shift();
      this.populatePositional(maybe, argv, positionalMap);
    }
    argv._ = context.commands.concat(argv._.map((a) => "" + a));
    this.postProcessPositionals(argv, positionalMap, this.cmdToParseOptions(commandHandler.original), yargs);
    return positionalMap;
  }
  populatePositional(positional, argv, positionalMap) {
    const cmd = positional.cmd[0];
    if (positional.variadic) {
      positionalMap[cmd] = argv._.splice(0).map(String);
    } else {
      if (argv._.length)
        positionalMap[cmd] = [String(argv._.shift())];
    }
  }
  cmdToParseOptions(cmdString) {
    const parseOptions = {
      array: [],
      default: {},
      alias: {},
      demand: {}
    };
    const parsed = parseCommand(cmdString);
    parsed.demanded.forEach((d) => {
      const [cmd, ...aliases] = d.cmd;
      if (d.variadic) {
        parseOptions.array.push(cmd);
        parseOptions.default[cmd] = [];
      }
      parseOptions.alias[cmd] = aliases;
      parseOptions.demand[cmd] = true;
    });
    parsed.optional.forEach((o) => {
      const [cmd, ...aliases] = o.cmd;
      if (o.variadic) {
        parseOptions.array.push(cmd);
        parseOptions.default[cmd] = [];
      }
      parseOptions.alias[cmd] = aliases;
    });
    return parseOptions;
  }
  postProcessPositionals(argv, positionalMap, parseOptions, yargs) {
    const options = Object.assign({}, yargs.getOptions());
    options.default = Object.assign(parseOptions.default, options.default);
    for (const key of Object.keys(parseOptions.alias)) {
      options.alias[key] = (options.alias[key] || []).concat(parseOptions.alias[key]);
    }
    options.array = options.array.concat(parseOptions.array);
    options.config = {};
    const unparsed = [];
    Object.keys(positionalMap).forEach((key) => {
      positionalMap[key].map((value) => {
        if (options.configuration["unknown-options-as-args"])
          options.key[key] = true;
        unparsed.push(`--${key}`);
        unparsed.push(value);
      });
    });
    if (!unparsed.length)
      return;
    const config = Object.assign({}, options.configuration, {
      "populate--": false
    });
    const parsed = this.shim.Parser.detailed(unparsed, Object.assign({}, options, {
      configuration: config
    }));
    if (parsed.error) {
      yargs.getInternalMethods().getUsageInstance().fail(parsed.error.message, parsed.error);
    } else {
      const positionalKeys = Object.keys(positionalMap);
      Object.keys(positionalMap).forEach((key) => {
        positionalKeys.push(...parsed.aliases[key]);
      });
      Object.keys(parsed.argv).forEach((key) => {
        if (positionalKeys.includes(key)) {
          if (!positionalMap[key])
            positionalMap[key] = parsed.argv[key];
          if (!this.isInConfigs(yargs, key) && !this.isDefaulted(yargs, key) && Object.prototype.hasOwnProperty.call(argv, key) && Object.prototype.hasOwnProperty.call(parsed.argv, key) && (Array.isArray(argv[key]) || Array.isArray(parsed.argv[key]))) {
            argv[key] = [].concat(argv[key], parsed.argv[key]);
          } else {
            argv[key] = parsed.argv[key];
          }
        }
      });
    }
  }
  isDefaulted(yargs, key) {
    const { default: defaults } = yargs.getOptions();
    return Object.prototype.hasOwnProperty.call(defaults, key) || Object.prototype.hasOwnProperty.call(defaults, this.shim.Parser.camelCase(key));
  }
  isInConfigs(yargs, key) {
    const { configObjects } = yargs.getOptions();
    return configObjects.some((c) => Object.prototype.hasOwnProperty.call(c, key)) || configObjects.some((c) => Object.prototype.hasOwnProperty.call(c, this.shim.Parser.camelCase(key)));
  }
  runDefaultBuilderOn(yargs) {
    if (!this.defaultCommand)
      return;
    if (this.shouldUpdateUsage(yargs)) {
      const commandString = DEFAULT_MARKER.test(this.defaultCommand.original) ? this.defaultCommand.original : this.defaultCommand.original.replace(/^[^[\]<>]*/, "$0 ");
      yargs.getInternalMethods().getUsageInstance().usage(commandString, this.defaultCommand.description);
    }
    const builder = this.defaultCommand.builder;
    if (isCommandBuilderCallback(builder)) {
      return builder(yargs, true);
    } else if (!isCommandBuilderDefinition(builder)) {
      Object.keys(builder).forEach((key) => {
        yargs.option(key, builder[key]);
      });
    }
    return void 0;
  }
  moduleName(obj) {
    const mod = whichModule(obj);
    if (!mod)
      throw new Error(`No command name given for module: ${this.shim.inspect(obj)}`);
    return this.commandFromFilename(mod.filename);
  }
  commandFromFilename(filename) {
    return this.shim.path.basename(filename, this.shim.path.extname(filename));
  }
  extractDesc({ describe: describe2, description, desc }) {
    for (const test of [describe2, description, desc]) {
      if (typeof test === "string" || test === false)
        return test;
      assertNotStrictEqual(test, true, this.shim);
    }
    return false;
  }
  freeze() {
    this.frozens.push({
      handlers: this.handlers,
      aliasMap: this.aliasMap,
      defaultCommand: this.defaultCommand
    });
  }
  unfreeze() {
    const frozen = this.frozens.pop();
    assertNotStrictEqual(frozen, void 0, this.shim);
    ({
      handlers: this.handlers,
      aliasMap: this.aliasMap,
      defaultCommand: this.defaultCommand
    } = frozen);
  }
  reset() {
    this.handlers = {};
    this.aliasMap = {};
    this.defaultCommand = void 0;
    this.requireCache = /* @__PURE__ */ new Set();
    return this;
  }
};
function command(usage2, validation2, globalMiddleware, shim3) {
  return new CommandInstance(usage2, validation2, globalMiddleware, shim3);
}
function isCommandBuilderDefinition(builder) {
  return typeof builder === "object" && !!builder.builder && typeof builder.handler === "function";
}
function isCommandAndAliases(cmd) {
  return cmd.every((c) => typeof c === "string");
}
function isCommandBuilderCallback(builder) {
  return typeof builder === "function";
}
function isCommandBuilderOptionDefinitions(builder) {
  return typeof builder === "object";
}
function isCommandHandlerDefinition(cmd) {
  return typeof cmd === "object" && !Array.isArray(cmd);
}

// node_modules/yargs/build/lib/usage.js
init_import_meta_url();

// node_modules/yargs/build/lib/utils/obj-filter.js
init_import_meta_url();
function objFilter(original = {}, filter = () => true) {
  const obj = {};
  objectKeys(original).forEach((key) => {
    if (filter(key, original[key])) {
      obj[key] = original[key];
    }
  });
  return obj;
}

// node_modules/yargs/build/lib/utils/set-blocking.js
init_import_meta_url();
function setBlocking(blocking) {
  if (typeof process === "undefined")
    return;
  [process.stdout, process.stderr].forEach((_stream) => {
    const stream = _stream;
    if (stream._handle && stream.isTTY && typeof stream._handle.setBlocking === "function") {
      stream._handle.setBlocking(blocking);
    }
  });
}

// node_modules/yargs/build/lib/usage.js
function isBoolean(fail) {
  return typeof fail === "boolean";
}
function usage(yargs, shim3) {
  const __ = shim3.y18n.__;
  const self = {};
  const fails = [];
  self.failFn = function failFn(f) {
    fails.push(f);
  };
  let failMessage = null;
  let globalFailMessage = null;
  let showHelpOnFail = true;
  self.showHelpOnFail = function showHelpOnFailFn(arg1 = true, arg2) {
    const [enabled, message2] = typeof arg1 === "string" ? [true, arg1] : [arg1, arg2];
    if (yargs.getInternalMethods().isGlobalContext()) {
      globalFailMessage = message2;
    }
    failMessage = message2;
    showHelpOnFail = enabled;
    return self;
  };
  let failureOutput = false;
  self.fail = function fail(msg, err) {
    const logger = yargs.getInternalMethods().getLoggerInstance();
    if (fails.length) {
      for (let i = fails.length - 1; i >= 0; --i) {
        const fail2 = fails[i];
        if (isBoolean(fail2)) {
          if (err)
            throw err;
          else if (msg)
            throw Error(msg);
        } else {
          fail2(msg, err, self);
        }
      }
    } else {
      if (yargs.getExitProcess())
        setBlocking(true);
      if (!failureOutput) {
        failureOutput = true;
        if (showHelpOnFail) {
          yargs.showHelp("error");
          logger.error();
        }
        if (msg || err)
          logger.error(msg || err);
        const globalOrCommandFailMessage = failMessage || globalFailMessage;
        if (globalOrCommandFailMessage) {
          if (msg || err)
            logger.error("");
          logger.error(globalOrCommandFailMessage);
        }
      }
      err = err || new YError(msg);
      if (yargs.getExitProcess()) {
        return yargs.exit(1);
      } else if (yargs.getInternalMethods().hasParseCallback()) {
        return yargs.exit(1, err);
      } else {
        throw err;
      }
    }
  };
  let usages = [];
  let usageDisabled = false;
  self.usage = (msg, description) => {
    if (msg === null) {
      usageDisabled = true;
      usages = [];
      return self;
    }
    usageDisabled = false;
    usages.push([msg, description || ""]);
    return self;
  };
  self.getUsage = () => {
    return usages;
  };
  self.getUsageDisabled = () => {
    return usageDisabled;
  };
  self.getPositionalGroupName = () => {
    return __("Positionals:");
  };
  let examples = [];
  self.example = (cmd, description) => {
    examples.push([cmd, description || ""]);
  };
  let commands = [];
  self.command = function command2(cmd, description, isDefault, aliases, deprecated = false) {
    if (isDefault) {
      commands = commands.map((cmdArray) => {
        cmdArray[2] = false;
        return cmdArray;
      });
    }
    commands.push([cmd, description || "", isDefault, aliases, deprecated]);
  };
  self.getCommands = () => commands;
  let descriptions = {};
  self.describe = function describe2(keyOrKeys, desc) {
    if (Array.isArray(keyOrKeys)) {
      keyOrKeys.forEach((k) => {
        self.describe(k, desc);
      });
    } else if (typeof keyOrKeys === "object") {
      Object.keys(keyOrKeys).forEach((k) => {
        self.describe(k, keyOrKeys[k]);
      });
    } else {
      descriptions[keyOrKeys] = desc;
    }
  };
  self.getDescriptions = () => descriptions;
  let epilogs = [];
  self.epilog = (msg) => {
    epilogs.push(msg);
  };
  let wrapSet = false;
  let wrap2;
  self.wrap = (cols) => {
    wrapSet = true;
    wrap2 = cols;
  };
  self.getWrap = () => {
    if (shim3.getEnv("YARGS_DISABLE_WRAP")) {
      return null;
    }
    if (!wrapSet) {
      wrap2 = windowWidth();
      wrapSet = true;
    }
    return wrap2;
  };
  const deferY18nLookupPrefix = "__yargsString__:";
  self.deferY18nLookup = (str) => deferY18nLookupPrefix + str;
  self.help = function help() {
    if (cachedHelpMessage)
      return cachedHelpMessage;
    normalizeAliases();
    const base$0 = yargs.customScriptName ? yargs.$0 : shim3.path.basename(yargs.$0);
    const demandedOptions = yargs.getDemandedOptions();
    const demandedCommands = yargs.getDemandedCommands();
    const deprecatedOptions = yargs.getDeprecatedOptions();
    const groups = yargs.getGroups();
    const options = yargs.getOptions();
    let keys = [];
    keys = keys.concat(Object.keys(descriptions));
    keys = keys.concat(Object.keys(demandedOptions));
    keys = keys.concat(Object.keys(demandedCommands));
    keys = keys.concat(Object.keys(options.default));
    keys = keys.filter(filterHiddenOptions);
    keys = Object.keys(keys.reduce((acc, key) => {
      if (key !== "_")
        acc[key] = true;
      return acc;
    }, {}));
    const theWrap = self.getWrap();
    const ui2 = shim3.cliui({
      width: theWrap,
      wrap: !!theWrap
    });
    if (!usageDisabled) {
      if (usages.length) {
        usages.forEach((usage2) => {
          ui2.div({ text: `${usage2[0].replace(/\$0/g, base$0)}` });
          if (usage2[1]) {
            ui2.div({ text: `${usage2[1]}`, padding: [1, 0, 0, 0] });
          }
        });
        ui2.div();
      } else if (commands.length) {
        let u = null;
        if (demandedCommands._) {
          u = `${base$0} <${__("command")}>
`;
        } else {
          u = `${base$0} [${__("command")}]
`;
        }
        ui2.div(`${u}`);
      }
    }
    if (commands.length > 1 || commands.length === 1 && !commands[0][2]) {
      ui2.div(__("Commands:"));
      const context = yargs.getInternalMethods().getContext();
      const parentCommands = context.commands.length ? `${context.commands.join(" ")} ` : "";
      if (yargs.getInternalMethods().getParserConfiguration()["sort-commands"] === true) {
        commands = commands.sort((a, b) => a[0].localeCompare(b[0]));
      }
      const prefix = base$0 ? `${base$0} ` : "";
      commands.forEach((command2) => {
        const commandString = `${prefix}${parentCommands}${command2[0].replace(/^\$0 ?/, "")}`;
        ui2.span({
          text: commandString,
          padding: [0, 2, 0, 2],
          width: maxWidth(commands, theWrap, `${base$0}${parentCommands}`) + 4
        }, { text: command2[1] });
        const hints = [];
        if (command2[2])
          hints.push(`[${__("default")}]`);
        if (command2[3] && command2[3].length) {
          hints.push(`[${__("aliases:")} ${command2[3].join(", ")}]`);
        }
        if (command2[4]) {
          if (typeof command2[4] === "string") {
            hints.push(`[${__("deprecated: %s", command2[4])}]`);
          } else {
            hints.push(`[${__("deprecated")}]`);
          }
        }
        if (hints.length) {
          ui2.div({
            text: hints.join(" "),
            padding: [0, 0, 0, 2],
            align: "right"
          });
        } else {
          ui2.div();
        }
      });
      ui2.div();
    }
    const aliasKeys = (Object.keys(options.alias) || []).concat(Object.keys(yargs.parsed.newAliases) || []);
    keys = keys.filter((key) => !yargs.parsed.newAliases[key] && aliasKeys.every((alias) => (options.alias[alias] || []).indexOf(key) === -1));
    const defaultGroup = __("Options:");
    if (!groups[defaultGroup])
      groups[defaultGroup] = [];
    addUngroupedKeys(keys, options.alias, groups, defaultGroup);
    const isLongSwitch = (sw) => /^--/.test(getText(sw));
    const displayedGroups = Object.keys(groups).filter((groupName) => groups[groupName].length > 0).map((groupName) => {
      const normalizedKeys = groups[groupName].filter(filterHiddenOptions).map((key) => {
        if (aliasKeys.includes(key))
          return key;
        for (let i = 0, aliasKey; (aliasKey = aliasKeys[i]) !== void 0; i++) {
          if ((options.alias[aliasKey] || []).includes(key))
            return aliasKey;
        }
        return key;
      });
      return { groupName, normalizedKeys };
    }).filter(({ normalizedKeys }) => normalizedKeys.length > 0).map(({ groupName, normalizedKeys }) => {
      const switches = normalizedKeys.reduce((acc, key) => {
        acc[key] = [key].concat(options.alias[key] || []).map((sw) => {
          if (groupName === self.getPositionalGroupName())
            return sw;
          else {
            return (/^[0-9]$/.test(sw) ? options.boolean.includes(key) ? "-" : "--" : sw.length > 1 ? "--" : "-") + sw;
          }
        }).sort((sw1, sw2) => isLongSwitch(sw1) === isLongSwitch(sw2) ? 0 : isLongSwitch(sw1) ? 1 : -1).join(", ");
        return acc;
      }, {});
      return { groupName, normalizedKeys, switches };
    });
    const shortSwitchesUsed = displayedGroups.filter(({ groupName }) => groupName !== self.getPositionalGroupName()).some(({ normalizedKeys, switches }) => !normalizedKeys.every((key) => isLongSwitch(switches[key])));
    if (shortSwitchesUsed) {
      displayedGroups.filter(({ groupName }) => groupName !== self.getPositionalGroupName()).forEach(({ normalizedKeys, switches }) => {
        normalizedKeys.forEach((key) => {
          if (isLongSwitch(switches[key])) {
            switches[key] = addIndentation(switches[key], "-x, ".length);
          }
        });
      });
    }
    displayedGroups.forEach(({ groupName, normalizedKeys, switches }) => {
      ui2.div(groupName);
      normalizedKeys.forEach((key) => {
        const kswitch = switches[key];
        let desc = descriptions[key] || "";
        let type2 = null;
        if (desc.includes(deferY18nLookupPrefix))
          desc = __(desc.substring(deferY18nLookupPrefix.length));
        if (options.boolean.includes(key))
          type2 = `[${__("boolean")}]`;
        if (options.count.includes(key))
          type2 = `[${__("count")}]`;
        if (options.string.includes(key))
          type2 = `[${__("string")}]`;
        if (options.normalize.includes(key))
          type2 = `[${__("string")}]`;
        if (options.array.includes(key))
          type2 = `[${__("array")}]`;
        if (options.number.includes(key))
          type2 = `[${__("number")}]`;
        const deprecatedExtra = (deprecated) => typeof deprecated === "string" ? `[${__("deprecated: %s", deprecated)}]` : `[${__("deprecated")}]`;
        const extra = [
          key in deprecatedOptions ? deprecatedExtra(deprecatedOptions[key]) : null,
          type2,
          key in demandedOptions ? `[${__("required")}]` : null,
          options.choices && options.choices[key] ? `[${__("choices:")} ${self.stringifiedValues(options.choices[key])}]` : null,
          defaultString(options.default[key], options.defaultDescription[key])
        ].filter(Boolean).join(" ");
        ui2.span({
          text: getText(kswitch),
          padding: [0, 2, 0, 2 + getIndentation(kswitch)],
          width: maxWidth(switches, theWrap) + 4
        }, desc);
        const shouldHideOptionExtras = yargs.getInternalMethods().getUsageConfiguration()["hide-types"] === true;
        if (extra && !shouldHideOptionExtras)
          ui2.div({ text: extra, padding: [0, 0, 0, 2], align: "right" });
        else
          ui2.div();
      });
      ui2.div();
    });
    if (examples.length) {
      ui2.div(__("Examples:"));
      examples.forEach((example) => {
        example[0] = example[0].replace(/\$0/g, base$0);
      });
      examples.forEach((example) => {
        if (example[1] === "") {
          ui2.div({
            text: example[0],
            padding: [0, 2, 0, 2]
          });
        } else {
          ui2.div({
            text: example[0],
            padding: [0, 2, 0, 2],
            width: maxWidth(examples, theWrap) + 4
          }, {
            text: example[1]
          });
        }
      });
      ui2.div();
    }
    if (epilogs.length > 0) {
      const e = epilogs.map((epilog) => epilog.replace(/\$0/g, base$0)).join("\n");
      ui2.div(`${e}
`);
    }
    return ui2.toString().replace(/\s*$/, "");
  };
  function maxWidth(table, theWrap, modifier) {
    let width = 0;
    if (!Array.isArray(table)) {
      table = Object.values(table).map((v) => [v]);
    }
    table.forEach((v) => {
      width = Math.max(shim3.stringWidth(modifier ? `${modifier} ${getText(v[0])}` : getText(v[0])) + getIndentation(v[0]), width);
    });
    if (theWrap)
      width = Math.min(width, parseInt((theWrap * 0.5).toString(), 10));
    return width;
  }
  function normalizeAliases() {
    const demandedOptions = yargs.getDemandedOptions();
    const options = yargs.getOptions();
    (Object.keys(options.alias) || []).forEach((key) => {
      options.alias[key].forEach((alias) => {
        if (descriptions[alias])
          self.describe(key, descriptions[alias]);
        if (alias in demandedOptions)
          yargs.demandOption(key, demandedOptions[alias]);
        if (options.boolean.includes(alias))
          yargs.boolean(key);
        if (options.count.includes(alias))
          yargs.count(key);
        if (options.string.includes(alias))
          yargs.string(key);
        if (options.normalize.includes(alias))
          yargs.normalize(key);
        if (options.array.includes(alias))
          yargs.array(key);
        if (options.number.includes(alias))
          yargs.number(key);
      });
    });
  }
  let cachedHelpMessage;
  self.cacheHelpMessage = function() {
    cachedHelpMessage = this.help();
  };
  self.clearCachedHelpMessage = function() {
    cachedHelpMessage = void 0;
  };
  self.hasCachedHelpMessage = function() {
    return !!cachedHelpMessage;
  };
  function addUngroupedKeys(keys, aliases, groups, defaultGroup) {
    let groupedKeys = [];
    let toCheck = null;
    Object.keys(groups).forEach((group) => {
      groupedKeys = groupedKeys.concat(groups[group]);
    });
    keys.forEach((key) => {
      toCheck = [key].concat(aliases[key]);
      if (!toCheck.some((k) => groupedKeys.indexOf(k) !== -1)) {
        groups[defaultGroup].push(key);
      }
    });
    return groupedKeys;
  }
  function filterHiddenOptions(key) {
    return yargs.getOptions().hiddenOptions.indexOf(key) < 0 || yargs.parsed.argv[yargs.getOptions().showHiddenOpt];
  }
  self.showHelp = (level) => {
    const logger = yargs.getInternalMethods().getLoggerInstance();
    if (!level)
      level = "error";
    const emit = typeof level === "function" ? level : logger[level];
    emit(self.help());
  };
  self.functionDescription = (fn) => {
    const description = fn.name ? shim3.Parser.decamelize(fn.name, "-") : __("generated-value");
    return ["(", description, ")"].join("");
  };
  self.stringifiedValues = function stringifiedValues(values, separator) {
    let string = "";
    const sep = separator || ", ";
    const array = [].concat(values);
    if (!values || !array.length)
      return string;
    array.forEach((value) => {
      if (string.length)
        string += sep;
      string += JSON.stringify(value);
    });
    return string;
  };
  function defaultString(value, defaultDescription) {
    let string = `[${__("default:")} `;
    if (value === void 0 && !defaultDescription)
      return null;
    if (defaultDescription) {
      string += defaultDescription;
    } else {
      switch (typeof value) {
        case "string":
          string += `"${value}"`;
          break;
        case "object":
          string += JSON.stringify(value);
          break;
        default:
          string += value;
      }
    }
    return `${string}]`;
  }
  function windowWidth() {
    const maxWidth2 = 80;
    if (shim3.process.stdColumns) {
      return Math.min(maxWidth2, shim3.process.stdColumns);
    } else {
      return maxWidth2;
    }
  }
  let version = null;
  self.version = (ver) => {
    version = ver;
  };
  self.showVersion = (level) => {
    const logger = yargs.getInternalMethods().getLoggerInstance();
    if (!level)
      level = "error";
    const emit = typeof level === "function" ? level : logger[level];
    emit(version);
  };
  self.reset = function reset(localLookup) {
    failMessage = null;
    failureOutput = false;
    usages = [];
    usageDisabled = false;
    epilogs = [];
    examples = [];
    commands = [];
    descriptions = objFilter(descriptions, (k) => !localLookup[k]);
    return self;
  };
  const frozens = [];
  self.freeze = function freeze() {
    frozens.push({
      failMessage,
      failureOutput,
      usages,
      usageDisabled,
      epilogs,
      examples,
      commands,
      descriptions
    });
  };
  self.unfreeze = function unfreeze(defaultCommand = false) {
    const frozen = frozens.pop();
    if (!frozen)
      return;
    if (defaultCommand) {
      descriptions = { ...frozen.descriptions, ...descriptions };
      commands = [...frozen.commands, ...commands];
      usages = [...frozen.usages, ...usages];
      examples = [...frozen.examples, ...examples];
      epilogs = [...frozen.epilogs, ...epilogs];
    } else {
      ({
        failMessage,
        failureOutput,
        usages,
        usageDisabled,
        epilogs,
        examples,
        commands,
        descriptions
      } = frozen);
    }
  };
  return self;
}
function isIndentedText(text2) {
  return typeof text2 === "object";
}
function addIndentation(text2, indent2) {
  return isIndentedText(text2) ? { text: text2.text, indentation: text2.indentation + indent2 } : { text: text2, indentation: indent2 };
}
function getIndentation(text2) {
  return isIndentedText(text2) ? text2.indentation : 0;
}
function getText(text2) {
  return isIndentedText(text2) ? text2.text : text2;
}

// node_modules/yargs/build/lib/completion.js
init_import_meta_url();

// node_modules/yargs/build/lib/completion-templates.js
init_import_meta_url();
var completionShTemplate = `###-begin-{{app_name}}-completions-###
#
# yargs command completion script
#
# Installation: {{app_path}} {{completion_command}} >> ~/.bashrc
#    or {{app_path}} {{completion_command}} >> ~/.bash_profile on OSX.
#
_{{app_name}}_yargs_completions()
{
    local cur_word args type_list

    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]}")

    # ask yargs to generate completions.
    type_list=$({{app_path}} --get-yargs-completions "\${args[@]}")

    COMPREPLY=( $(compgen -W "\${type_list}" -- \${cur_word}) )

    # if no match was found, fall back to filename completion
    if [ \${#COMPREPLY[@]} -eq 0 ]; then
      COMPREPLY=()
    fi

    return 0
}
complete -o bashdefault -o default -F _{{app_name}}_yargs_completions {{app_name}}
###-end-{{app_name}}-completions-###
`;
var completionZshTemplate = `#compdef {{app_name}}
###-begin-{{app_name}}-completions-###
#
# yargs command completion script
#
# Installation: {{app_path}} {{completion_command}} >> ~/.zshrc
#    or {{app_path}} {{completion_command}} >> ~/.zprofile on OSX.
#
_{{app_name}}_yargs_completions()
{
  local reply
  local si=$IFS
  IFS=$'
' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" {{app_path}} --get-yargs-completions "\${words[@]}"))
  IFS=$si
  _describe 'values' reply
}
compdef _{{app_name}}_yargs_completions {{app_name}}
###-end-{{app_name}}-completions-###
`;

// node_modules/yargs/build/lib/completion.js
var Completion = class {
  constructor(yargs, usage2, command2, shim3) {
    var _a2, _b2, _c2;
    this.yargs = yargs;
    this.usage = usage2;
    this.command = command2;
    this.shim = shim3;
    this.completionKey = "get-yargs-completions";
    this.aliases = null;
    this.customCompletionFunction = null;
    this.indexAfterLastReset = 0;
    this.zshShell = (_c2 = ((_a2 = this.shim.getEnv("SHELL")) === null || _a2 === void 0 ? void 0 : _a2.includes("zsh")) || ((_b2 = this.shim.getEnv("ZSH_NAME")) === null || _b2 === void 0 ? void 0 : _b2.includes("zsh"))) !== null && _c2 !== void 0 ? _c2 : false;
  }
  defaultCompletion(args, argv, current, done) {
    const handlers = this.command.getCommandHandlers();
    for (let i = 0, ii = args.length; i < ii; ++i) {
      if (handlers[args[i]] && handlers[args[i]].builder) {
        const builder = handlers[args[i]].builder;
        if (isCommandBuilderCallback(builder)) {
          this.indexAfterLastReset = i + 1;
          const y = this.yargs.getInternalMethods().reset();
          builder(y, true);
          return y.argv;
        }
      }
    }
    const completions = [];
    this.commandCompletions(completions, args, current);
    this.optionCompletions(completions, args, argv, current);
    this.choicesFromOptionsCompletions(completions, args, argv, current);
    this.choicesFromPositionalsCompletions(completions, args, argv, current);
    done(null, completions);
  }
  commandCompletions(completions, args, current) {
    const parentCommands = this.yargs.getInternalMethods().getContext().commands;
    if (!current.match(/^-/) && parentCommands[parentCommands.length - 1] !== current && !this.previousArgHasChoices(args)) {
      this.usage.getCommands().forEach((usageCommand) => {
        const commandName = parseCommand(usageCommand[0]).cmd;
        if (args.indexOf(commandName) === -1) {
          if (!this.zshShell) {
            completions.push(commandName);
          } else {
            const desc = usageCommand[1] || "";
            completions.push(commandName.replace(/:/g, "\\:") + ":" + desc);
          }
        }
      });
    }
  }
  optionCompletions(completions, args, argv, current) {
    if ((current.match(/^-/) || current === "" && completions.length === 0) && !this.previousArgHasChoices(args)) {
      const options = this.yargs.getOptions();
      const positionalKeys = this.yargs.getGroups()[this.usage.getPositionalGroupName()] || [];
      Object.keys(options.key).forEach((key) => {
        const negable = !!options.configuration["boolean-negation"] && options.boolean.includes(key);
        const isPositionalKey = positionalKeys.includes(key);
        if (!isPositionalKey && !options.hiddenOptions.includes(key) && !this.argsContainKey(args, key, negable)) {
          this.completeOptionKey(key, completions, current, negable && !!options.default[key]);
        }
      });
    }
  }
  choicesFromOptionsCompletions(completions, args, argv, current) {
    if (this.previousArgHasChoices(args)) {
      const choices = this.getPreviousArgChoices(args);
      if (choices && choices.length > 0) {
        completions.push(...choices.map((c) => c.replace(/:/g, "\\:")));
      }
    }
  }
  choicesFromPositionalsCompletions(completions, args, argv, current) {
    if (current === "" && completions.length > 0 && this.previousArgHasChoices(args)) {
      return;
    }
    const positionalKeys = this.yargs.getGroups()[this.usage.getPositionalGroupName()] || [];
    const offset = Math.max(this.indexAfterLastReset, this.yargs.getInternalMethods().getContext().commands.length + 1);
    const positionalKey = positionalKeys[argv._.length - offset - 1];
    if (!positionalKey) {
      return;
    }
    const choices = this.yargs.getOptions().choices[positionalKey] || [];
    for (const choice of choices) {
      if (choice.startsWith(current)) {
        completions.push(choice.replace(/:/g, "\\:"));
      }
    }
  }
  getPreviousArgChoices(args) {
    if (args.length < 1)
      return;
    let previousArg = args[args.length - 1];
    let filter = "";
    if (!previousArg.startsWith("-") && args.length > 1) {
      filter = previousArg;
      previousArg = args[args.length - 2];
    }
    if (!previousArg.startsWith("-"))
      return;
    const previousArgKey = previousArg.replace(/^-+/, "");
    const options = this.yargs.getOptions();
    const possibleAliases = [
      previousArgKey,
      ...this.yargs.getAliases()[previousArgKey] || []
    ];
    let choices;
    for (const possibleAlias of possibleAliases) {
      if (Object.prototype.hasOwnProperty.call(options.key, possibleAlias) && Array.isArray(options.choices[possibleAlias])) {
        choices = options.choices[possibleAlias];
        break;
      }
    }
    if (choices) {
      return choices.filter((choice) => !filter || choice.startsWith(filter));
    }
  }
  previousArgHasChoices(args) {
    const choices = this.getPreviousArgChoices(args);
    return choices !== void 0 && choices.length > 0;
  }
  argsContainKey(args, key, negable) {
    const argsContains = (s) => args.indexOf((/^[^0-9]$/.test(s) ? "-" : "--") + s) !== -1;
    if (argsContains(key))
      return true;
    if (negable && argsContains(`no-${key}`))
      return true;
    if (this.aliases) {
      for (const alias of this.aliases[key]) {
        if (argsContains(alias))
          return true;
      }
    }
    return false;
  }
  completeOptionKey(key, completions, current, negable) {
    var _a2, _b2, _c2, _d;
    let keyWithDesc = key;
    if (this.zshShell) {
      const descs = this.usage.getDescriptions();
      const aliasKey = (_b2 = (_a2 = this === null || this === void 0 ? void 0 : this.aliases) === null || _a2 === void 0 ? void 0 : _a2[key]) === null || _b2 === void 0 ? void 0 : _b2.find((alias) => {
        const desc2 = descs[alias];
        return typeof desc2 === "string" && desc2.length > 0;
      });
      const descFromAlias = aliasKey ? descs[aliasKey] : void 0;
      const desc = (_d = (_c2 = descs[key]) !== null && _c2 !== void 0 ? _c2 : descFromAlias) !== null && _d !== void 0 ? _d : "";
      keyWithDesc = `${key.replace(/:/g, "\\:")}:${desc.replace("__yargsString__:", "").replace(/(\r\n|\n|\r)/gm, " ")}`;
    }
    const startsByTwoDashes = (s) => /^--/.test(s);
    const isShortOption = (s) => /^[^0-9]$/.test(s);
    const dashes = !startsByTwoDashes(current) && isShortOption(key) ? "-" : "--";
    completions.push(dashes + keyWithDesc);
    if (negable) {
      completions.push(dashes + "no-" + keyWithDesc);
    }
  }
  customCompletion(args, argv, current, done) {
    assertNotStrictEqual(this.customCompletionFunction, null, this.shim);
    if (isSyncCompletionFunction(this.customCompletionFunction)) {
      const result = this.customCompletionFunction(current, argv);
      if (isPromise(result)) {
        return result.then((list) => {
          this.shim.process.nextTick(() => {
            done(null, list);
          });
        }).catch((err) => {
          this.shim.process.nextTick(() => {
            done(err, void 0);
          });
        });
      }
      return done(null, result);
    } else if (isFallbackCompletionFunction(this.customCompletionFunction)) {
      return this.customCompletionFunction(current, argv, (onCompleted = done) => this.defaultCompletion(args, argv, current, onCompleted), (completions) => {
        done(null, completions);
      });
    } else {
      return this.customCompletionFunction(current, argv, (completions) => {
        done(null, completions);
      });
    }
  }
  getCompletion(args, done) {
    const current = args.length ? args[args.length - 1] : "";
    const argv = this.yargs.parse(args, true);
    const completionFunction = this.customCompletionFunction ? (argv2) => this.customCompletion(args, argv2, current, done) : (argv2) => this.defaultCompletion(args, argv2, current, done);
    return isPromise(argv) ? argv.then(completionFunction) : completionFunction(argv);
  }
  generateCompletionScript($0, cmd) {
    let script = this.zshShell ? completionZshTemplate : completionShTemplate;
    const name = this.shim.path.basename($0);
    if ($0.match(/\.js$/))
      $0 = `./${$0}`;
    script = script.replace(/{{app_name}}/g, name);
    script = script.replace(/{{completion_command}}/g, cmd);
    return script.replace(/{{app_path}}/g, $0);
  }
  registerFunction(fn) {
    this.customCompletionFunction = fn;
  }
  setParsed(parsed) {
    this.aliases = parsed.aliases;
  }
};
function completion(yargs, usage2, command2, shim3) {
  return new Completion(yargs, usage2, command2, shim3);
}
function isSyncCompletionFunction(completionFunction) {
  return completionFunction.length < 3;
}
function isFallbackCompletionFunction(completionFunction) {
  return completionFunction.length > 3;
}

// node_modules/yargs/build/lib/validation.js
init_import_meta_url();

// node_modules/yargs/build/lib/utils/levenshtein.js
init_import_meta_url();
function levenshtein(a, b) {
  if (a.length === 0)
    return b.length;
  if (b.length === 0)
    return a.length;
  const matrix = [];
  let i;
  for (i = 0; i <= b.length; i++) {
    matrix[i] = [i];
  }
  let j;
  for (j = 0; j <= a.length; j++) {
    matrix[0][j] = j;
  }
  for (i = 1; i <= b.length; i++) {
    for (j = 1; j <= a.length; j++) {
      if (b.charAt(i - 1) === a.charAt(j - 1)) {
        matrix[i][j] = matrix[i - 1][j - 1];
      } else {
        if (i > 1 && j > 1 && b.charAt(i - 2) === a.charAt(j - 1) && b.charAt(i - 1) === a.charAt(j - 2)) {
          matrix[i][j] = matrix[i - 2][j - 2] + 1;
        } else {
          matrix[i][j] = Math.min(matrix[i - 1][j - 1] + 1, Math.min(matrix[i][j - 1] + 1, matrix[i - 1][j] + 1));
        }
      }
    }
  }
  return matrix[b.length][a.length];
}

// node_modules/yargs/build/lib/validation.js
var specialKeys = ["$0", "--", "_"];
function validation(yargs, usage2, shim3) {
  const __ = shim3.y18n.__;
  const __n = shim3.y18n.__n;
  const self = {};
  self.nonOptionCount = function nonOptionCount(argv) {
    const demandedCommands = yargs.getDemandedCommands();
    const positionalCount = argv._.length + (argv["--"] ? argv["--"].length : 0);
    const _s = positionalCount - yargs.getInternalMethods().getContext().commands.length;
    if (demandedCommands._ && (_s < demandedCommands._.min || _s > demandedCommands._.max)) {
      if (_s < demandedCommands._.min) {
        if (demandedCommands._.minMsg !== void 0) {
          usage2.fail(demandedCommands._.minMsg ? demandedCommands._.minMsg.replace(/\$0/g, _s.toString()).replace(/\$1/, demandedCommands._.min.toString()) : null);
        } else {
          usage2.fail(__n("Not enough non-option arguments: got %s, need at least %s", "Not enough non-option arguments: got %s, need at least %s", _s, _s.toString(), demandedCommands._.min.toString()));
        }
      } else if (_s > demandedCommands._.max) {
        if (demandedCommands._.maxMsg !== void 0) {
          usage2.fail(demandedCommands._.maxMsg ? demandedCommands._.maxMsg.replace(/\$0/g, _s.toString()).replace(/\$1/, demandedCommands._.max.toString()) : null);
        } else {
          usage2.fail(__n("Too many non-option arguments: got %s, maximum of %s", "Too many non-option arguments: got %s, maximum of %s", _s, _s.toString(), demandedCommands._.max.toString()));
        }
      }
    }
  };
  self.positionalCount = function positionalCount(required, observed) {
    if (observed < required) {
      usage2.fail(__n("Not enough non-option arguments: got %s, need at least %s", "Not enough non-option arguments: got %s, need at least %s", observed, observed + "", required + ""));
    }
  };
  self.requiredArguments = function requiredArguments(argv, demandedOptions) {
    let missing = null;
    for (const key of Object.keys(demandedOptions)) {
      if (!Object.prototype.hasOwnProperty.call(argv, key) || typeof argv[key] === "undefined") {
        missing = missing || {};
        missing[key] = demandedOptions[key];
      }
    }
    if (missing) {
      const customMsgs = [];
      for (const key of Object.keys(missing)) {
        const msg = missing[key];
        if (msg && customMsgs.indexOf(msg) < 0) {
          customMsgs.push(msg);
        }
      }
      const customMsg = customMsgs.length ? `
${customMsgs.join("\n")}` : "";
      usage2.fail(__n("Missing required argument: %s", "Missing required arguments: %s", Object.keys(missing).length, Object.keys(missing).join(", ") + customMsg));
    }
  };
  self.unknownArguments = function unknownArguments(argv, aliases, positionalMap, isDefaultCommand, checkPositionals = true) {
    var _a2;
    const commandKeys = yargs.getInternalMethods().getCommandInstance().getCommands();
    const unknown = [];
    const currentContext = yargs.getInternalMethods().getContext();
    Object.keys(argv).forEach((key) => {
      if (!specialKeys.includes(key) && !Object.prototype.hasOwnProperty.call(positionalMap, key) && !Object.prototype.hasOwnProperty.call(yargs.getInternalMethods().getParseContext(), key) && !self.isValidAndSomeAliasIsNotNew(key, aliases)) {
        unknown.push(key);
      }
    });
    if (checkPositionals && (currentContext.commands.length > 0 || commandKeys.length > 0 || isDefaultCommand)) {
      argv._.slice(currentContext.commands.length).forEach((key) => {
        if (!commandKeys.includes("" + key)) {
          unknown.push("" + key);
        }
      });
    }
    if (checkPositionals) {
      const demandedCommands = yargs.getDemandedCommands();
      const maxNonOptDemanded = ((_a2 = demandedCommands._) === null || _a2 === void 0 ? void 0 : _a2.max) || 0;
      const expected = currentContext.commands.length + maxNonOptDemanded;
      if (expected < argv._.length) {
        argv._.slice(expected).forEach((key) => {
          key = String(key);
          if (!currentContext.commands.includes(key) && !unknown.includes(key)) {
            unknown.push(key);
          }
        });
      }
    }
    if (unknown.length) {
      usage2.fail(__n("Unknown argument: %s", "Unknown arguments: %s", unknown.length, unknown.map((s) => s.trim() ? s : `"${s}"`).join(", ")));
    }
  };
  self.unknownCommands = function unknownCommands(argv) {
    const commandKeys = yargs.getInternalMethods().getCommandInstance().getCommands();
    const unknown = [];
    const currentContext = yargs.getInternalMethods().getContext();
    if (currentContext.commands.length > 0 || commandKeys.length > 0) {
      argv._.slice(currentContext.commands.length).forEach((key) => {
        if (!commandKeys.includes("" + key)) {
          unknown.push("" + key);
        }
      });
    }
    if (unknown.length > 0) {
      usage2.fail(__n("Unknown command: %s", "Unknown commands: %s", unknown.length, unknown.join(", ")));
      return true;
    } else {
      return false;
    }
  };
  self.isValidAndSomeAliasIsNotNew = function isValidAndSomeAliasIsNotNew(key, aliases) {
    if (!Object.prototype.hasOwnProperty.call(aliases, key)) {
      return false;
    }
    const newAliases = yargs.parsed.newAliases;
    return [key, ...aliases[key]].some((a) => !Object.prototype.hasOwnProperty.call(newAliases, a) || !newAliases[key]);
  };
  self.limitedChoices = function limitedChoices(argv) {
    const options = yargs.getOptions();
    const invalid = {};
    if (!Object.keys(options.choices).length)
      return;
    Object.keys(argv).forEach((key) => {
      if (specialKeys.indexOf(key) === -1 && Object.prototype.hasOwnProperty.call(options.choices, key)) {
        [].concat(argv[key]).forEach((value) => {
          if (options.choices[key].indexOf(value) === -1 && value !== void 0) {
            invalid[key] = (invalid[key] || []).concat(value);
          }
        });
      }
    });
    const invalidKeys = Object.keys(invalid);
    if (!invalidKeys.length)
      return;
    let msg = __("Invalid values:");
    invalidKeys.forEach((key) => {
      msg += `
  ${__("Argument: %s, Given: %s, Choices: %s", key, usage2.stringifiedValues(invalid[key]), usage2.stringifiedValues(options.choices[key]))}`;
    });
    usage2.fail(msg);
  };
  let implied = {};
  self.implies = function implies(key, value) {
    argsert("<string|object> [array|number|string]", [key, value], arguments.length);
    if (typeof key === "object") {
      Object.keys(key).forEach((k) => {
        self.implies(k, key[k]);
      });
    } else {
      yargs.global(key);
      if (!implied[key]) {
        implied[key] = [];
      }
      if (Array.isArray(value)) {
        value.forEach((i) => self.implies(key, i));
      } else {
        assertNotStrictEqual(value, void 0, shim3);
        implied[key].push(value);
      }
    }
  };
  self.getImplied = function getImplied() {
    return implied;
  };
  function keyExists(argv, val) {
    const num = Number(val);
    val = isNaN(num) ? val : num;
    if (typeof val === "number") {
      val = argv._.length >= val;
    } else if (val.match(/^--no-.+/)) {
      val = val.match(/^--no-(.+)/)[1];
      val = !Object.prototype.hasOwnProperty.call(argv, val);
    } else {
      val = Object.prototype.hasOwnProperty.call(argv, val);
    }
    return val;
  }
  self.implications = function implications(argv) {
    const implyFail = [];
    Object.keys(implied).forEach((key) => {
      const origKey = key;
      (implied[key] || []).forEach((value) => {
        let key2 = origKey;
        const origValue = value;
        key2 = keyExists(argv, key2);
        value = keyExists(argv, value);
        if (key2 && !value) {
          implyFail.push(` ${origKey} -> ${origValue}`);
        }
      });
    });
    if (implyFail.length) {
      let msg = `${__("Implications failed:")}
`;
      implyFail.forEach((value) => {
        msg += value;
      });
      usage2.fail(msg);
    }
  };
  let conflicting = {};
  self.conflicts = function conflicts(key, value) {
    argsert("<string|object> [array|string]", [key, value], arguments.length);
    if (typeof key === "object") {
      Object.keys(key).forEach((k) => {
        self.conflicts(k, key[k]);
      });
    } else {
      yargs.global(key);
      if (!conflicting[key]) {
        conflicting[key] = [];
      }
      if (Array.isArray(value)) {
        value.forEach((i) => self.conflicts(key, i));
      } else {
        conflicting[key].push(value);
      }
    }
  };
  self.getConflicting = () => conflicting;
  self.conflicting = function conflictingFn(argv) {
    Object.keys(argv).forEach((key) => {
      if (conflicting[key]) {
        conflicting[key].forEach((value) => {
          if (value && argv[key] !== void 0 && argv[value] !== void 0) {
            usage2.fail(__("Arguments %s and %s are mutually exclusive", key, value));
          }
        });
      }
    });
    if (yargs.getInternalMethods().getParserConfiguration()["strip-dashed"]) {
      Object.keys(conflicting).forEach((key) => {
        conflicting[key].forEach((value) => {
          if (value && argv[shim3.Parser.camelCase(key)] !== void 0 && argv[shim3.Parser.camelCase(value)] !== void 0) {
            usage2.fail(__("Arguments %s and %s are mutually exclusive", key, value));
          }
        });
      });
    }
  };
  self.recommendCommands = function recommendCommands(cmd, potentialCommands) {
    const threshold = 3;
    potentialCommands = potentialCommands.sort((a, b) => b.length - a.length);
    let recommended = null;
    let bestDistance = Infinity;
    for (let i = 0, candidate; (candidate = potentialCommands[i]) !== void 0; i++) {
      const d = levenshtein(cmd, candidate);
      if (d <= threshold && d < bestDistance) {
        bestDistance = d;
        recommended = candidate;
      }
    }
    if (recommended)
      usage2.fail(__("Did you mean %s?", recommended));
  };
  self.reset = function reset(localLookup) {
    implied = objFilter(implied, (k) => !localLookup[k]);
    conflicting = objFilter(conflicting, (k) => !localLookup[k]);
    return self;
  };
  const frozens = [];
  self.freeze = function freeze() {
    frozens.push({
      implied,
      conflicting
    });
  };
  self.unfreeze = function unfreeze() {
    const frozen = frozens.pop();
    assertNotStrictEqual(frozen, void 0, shim3);
    ({ implied, conflicting } = frozen);
  };
  return self;
}

// node_modules/yargs/build/lib/utils/apply-extends.js
init_import_meta_url();
var previouslyVisitedConfigs = [];
var shim2;
function applyExtends(config, cwd, mergeExtends, _shim) {
  shim2 = _shim;
  let defaultConfig = {};
  if (Object.prototype.hasOwnProperty.call(config, "extends")) {
    if (typeof config.extends !== "string")
      return defaultConfig;
    const isPath = /\.json|\..*rc$/.test(config.extends);
    let pathToDefault = null;
    if (!isPath) {
      try {
        pathToDefault = require.resolve(config.extends);
      } catch (_err) {
        return config;
      }
    } else {
      pathToDefault = getPathToDefaultConfig(cwd, config.extends);
    }
    checkForCircularExtends(pathToDefault);
    previouslyVisitedConfigs.push(pathToDefault);
    defaultConfig = isPath ? JSON.parse(shim2.readFileSync(pathToDefault, "utf8")) : require(config.extends);
    delete config.extends;
    defaultConfig = applyExtends(defaultConfig, shim2.path.dirname(pathToDefault), mergeExtends, shim2);
  }
  previouslyVisitedConfigs = [];
  return mergeExtends ? mergeDeep(defaultConfig, config) : Object.assign({}, defaultConfig, config);
}
function checkForCircularExtends(cfgPath) {
  if (previouslyVisitedConfigs.indexOf(cfgPath) > -1) {
    throw new YError(`Circular extended configurations: '${cfgPath}'.`);
  }
}
function getPathToDefaultConfig(cwd, pathToExtend) {
  return shim2.path.resolve(cwd, pathToExtend);
}
function mergeDeep(config1, config2) {
  const target = {};
  function isObject(obj) {
    return obj && typeof obj === "object" && !Array.isArray(obj);
  }
  Object.assign(target, config1);
  for (const key of Object.keys(config2)) {
    if (isObject(config2[key]) && isObject(target[key])) {
      target[key] = mergeDeep(config1[key], config2[key]);
    } else {
      target[key] = config2[key];
    }
  }
  return target;
}

// node_modules/yargs/build/lib/yargs-factory.js
var __classPrivateFieldSet = function(receiver, state, value, kind, f) {
  if (kind === "m") throw new TypeError("Private method is not writable");
  if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a setter");
  if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot write private member to an object whose class did not declare it");
  return kind === "a" ? f.call(receiver, value) : f ? f.value = value : state.set(receiver, value), value;
};
var __classPrivateFieldGet = function(receiver, state, kind, f) {
  if (kind === "a" && !f) throw new TypeError("Private accessor was defined without a getter");
  if (typeof state === "function" ? receiver !== state || !f : !state.has(receiver)) throw new TypeError("Cannot read private member from an object whose class did not declare it");
  return kind === "m" ? f : kind === "a" ? f.call(receiver) : f ? f.value : state.get(receiver);
};
var _YargsInstance_command;
var _YargsInstance_cwd;
var _YargsInstance_context;
var _YargsInstance_completion;
var _YargsInstance_completionCommand;
var _YargsInstance_defaultShowHiddenOpt;
var _YargsInstance_exitError;
var _YargsInstance_detectLocale;
var _YargsInstance_emittedWarnings;
var _YargsInstance_exitProcess;
var _YargsInstance_frozens;
var _YargsInstance_globalMiddleware;
var _YargsInstance_groups;
var _YargsInstance_hasOutput;
var _YargsInstance_helpOpt;
var _YargsInstance_isGlobalContext;
var _YargsInstance_logger;
var _YargsInstance_output;
var _YargsInstance_options;
var _YargsInstance_parentRequire;
var _YargsInstance_parserConfig;
var _YargsInstance_parseFn;
var _YargsInstance_parseContext;
var _YargsInstance_pkgs;
var _YargsInstance_preservedGroups;
var _YargsInstance_processArgs;
var _YargsInstance_recommendCommands;
var _YargsInstance_shim;
var _YargsInstance_strict;
var _YargsInstance_strictCommands;
var _YargsInstance_strictOptions;
var _YargsInstance_usage;
var _YargsInstance_usageConfig;
var _YargsInstance_versionOpt;
var _YargsInstance_validation;
function YargsFactory(_shim) {
  return (processArgs = [], cwd = _shim.process.cwd(), parentRequire) => {
    const yargs = new YargsInstance(processArgs, cwd, parentRequire, _shim);
    Object.defineProperty(yargs, "argv", {
      get: () => {
        return yargs.parse();
      },
      enumerable: true
    });
    yargs.help();
    yargs.version();
    return yargs;
  };
}
var kCopyDoubleDash = /* @__PURE__ */ Symbol("copyDoubleDash");
var kCreateLogger = /* @__PURE__ */ Symbol("copyDoubleDash");
var kDeleteFromParserHintObject = /* @__PURE__ */ Symbol("deleteFromParserHintObject");
var kEmitWarning = /* @__PURE__ */ Symbol("emitWarning");
var kFreeze = /* @__PURE__ */ Symbol("freeze");
var kGetDollarZero = /* @__PURE__ */ Symbol("getDollarZero");
var kGetParserConfiguration = /* @__PURE__ */ Symbol("getParserConfiguration");
var kGetUsageConfiguration = /* @__PURE__ */ Symbol("getUsageConfiguration");
var kGuessLocale = /* @__PURE__ */ Symbol("guessLocale");
var kGuessVersion = /* @__PURE__ */ Symbol("guessVersion");
var kParsePositionalNumbers = /* @__PURE__ */ Symbol("parsePositionalNumbers");
var kPkgUp = /* @__PURE__ */ Symbol("pkgUp");
var kPopulateParserHintArray = /* @__PURE__ */ Symbol("populateParserHintArray");
var kPopulateParserHintSingleValueDictionary = /* @__PURE__ */ Symbol("populateParserHintSingleValueDictionary");
var kPopulateParserHintArrayDictionary = /* @__PURE__ */ Symbol("populateParserHintArrayDictionary");
var kPopulateParserHintDictionary = /* @__PURE__ */ Symbol("populateParserHintDictionary");
var kSanitizeKey = /* @__PURE__ */ Symbol("sanitizeKey");
var kSetKey = /* @__PURE__ */ Symbol("setKey");
var kUnfreeze = /* @__PURE__ */ Symbol("unfreeze");
var kValidateAsync = /* @__PURE__ */ Symbol("validateAsync");
var kGetCommandInstance = /* @__PURE__ */ Symbol("getCommandInstance");
var kGetContext = /* @__PURE__ */ Symbol("getContext");
var kGetHasOutput = /* @__PURE__ */ Symbol("getHasOutput");
var kGetLoggerInstance = /* @__PURE__ */ Symbol("getLoggerInstance");
var kGetParseContext = /* @__PURE__ */ Symbol("getParseContext");
var kGetUsageInstance = /* @__PURE__ */ Symbol("getUsageInstance");
var kGetValidationInstance = /* @__PURE__ */ Symbol("getValidationInstance");
var kHasParseCallback = /* @__PURE__ */ Symbol("hasParseCallback");
var kIsGlobalContext = /* @__PURE__ */ Symbol("isGlobalContext");
var kPostProcess = /* @__PURE__ */ Symbol("postProcess");
var kRebase = /* @__PURE__ */ Symbol("rebase");
var kReset = /* @__PURE__ */ Symbol("reset");
var kRunYargsParserAndExecuteCommands = /* @__PURE__ */ Symbol("runYargsParserAndExecuteCommands");
var kRunValidation = /* @__PURE__ */ Symbol("runValidation");
var kSetHasOutput = /* @__PURE__ */ Symbol("setHasOutput");
var kTrackManuallySetKeys = /* @__PURE__ */ Symbol("kTrackManuallySetKeys");
var YargsInstance = class {
  constructor(processArgs = [], cwd, parentRequire, shim3) {
    this.customScriptName = false;
    this.parsed = false;
    _YargsInstance_command.set(this, void 0);
    _YargsInstance_cwd.set(this, void 0);
    _YargsInstance_context.set(this, { commands: [], fullCommands: [] });
    _YargsInstance_completion.set(this, null);
    _YargsInstance_completionCommand.set(this, null);
    _YargsInstance_defaultShowHiddenOpt.set(this, "show-hidden");
    _YargsInstance_exitError.set(this, null);
    _YargsInstance_detectLocale.set(this, true);
    _YargsInstance_emittedWarnings.set(this, {});
    _YargsInstance_exitProcess.set(this, true);
    _YargsInstance_frozens.set(this, []);
    _YargsInstance_globalMiddleware.set(this, void 0);
    _YargsInstance_groups.set(this, {});
    _YargsInstance_hasOutput.set(this, false);
    _YargsInstance_helpOpt.set(this, null);
    _YargsInstance_isGlobalContext.set(this, true);
    _YargsInstance_logger.set(this, void 0);
    _YargsInstance_output.set(this, "");
    _YargsInstance_options.set(this, void 0);
    _YargsInstance_parentRequire.set(this, void 0);
    _YargsInstance_parserConfig.set(this, {});
    _YargsInstance_parseFn.set(this, null);
    _YargsInstance_parseContext.set(this, null);
    _YargsInstance_pkgs.set(this, {});
    _YargsInstance_preservedGroups.set(this, {});
    _YargsInstance_processArgs.set(this, void 0);
    _YargsInstance_recommendCommands.set(this, false);
    _YargsInstance_shim.set(this, void 0);
    _YargsInstance_strict.set(this, false);
    _YargsInstance_strictCommands.set(this, false);
    _YargsInstance_strictOptions.set(this, false);
    _YargsInstance_usage.set(this, void 0);
    _YargsInstance_usageConfig.set(this, {});
    _YargsInstance_versionOpt.set(this, null);
    _YargsInstance_validation.set(this, void 0);
    __classPrivateFieldSet(this, _YargsInstance_shim, shim3, "f");
    __classPrivateFieldSet(this, _YargsInstance_processArgs, processArgs, "f");
    __classPrivateFieldSet(this, _YargsInstance_cwd, cwd, "f");
    __classPrivateFieldSet(this, _YargsInstance_parentRequire, parentRequire, "f");
    __classPrivateFieldSet(this, _YargsInstance_globalMiddleware, new GlobalMiddleware(this), "f");
    this.$0 = this[kGetDollarZero]();
    this[kReset]();
    __classPrivateFieldSet(this, _YargsInstance_command, __classPrivateFieldGet(this, _YargsInstance_command, "f"), "f");
    __classPrivateFieldSet(this, _YargsInstance_usage, __classPrivateFieldGet(this, _YargsInstance_usage, "f"), "f");
    __classPrivateFieldSet(this, _YargsInstance_validation, __classPrivateFieldGet(this, _YargsInstance_validation, "f"), "f");
    __classPrivateFieldSet(this, _YargsInstance_options, __classPrivateFieldGet(this, _YargsInstance_options, "f"), "f");
    __classPrivateFieldGet(this, _YargsInstance_options, "f").showHiddenOpt = __classPrivateFieldGet(this, _YargsInstance_defaultShowHiddenOpt, "f");
    __classPrivateFieldSet(this, _YargsInstance_logger, this[kCreateLogger](), "f");
  }
  addHelpOpt(opt, msg) {
    const defaultHelpOpt = "help";
    argsert("[string|boolean] [string]", [opt, msg], arguments.length);
    if (__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f")) {
      this[kDeleteFromParserHintObject](__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f"));
      __classPrivateFieldSet(this, _YargsInstance_helpOpt, null, "f");
    }
    if (opt === false && msg === void 0)
      return this;
    __classPrivateFieldSet(this, _YargsInstance_helpOpt, typeof opt === "string" ? opt : defaultHelpOpt, "f");
    this.boolean(__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f"));
    this.describe(__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f"), msg || __classPrivateFieldGet(this, _YargsInstance_usage, "f").deferY18nLookup("Show help"));
    return this;
  }
  help(opt, msg) {
    return this.addHelpOpt(opt, msg);
  }
  addShowHiddenOpt(opt, msg) {
    argsert("[string|boolean] [string]", [opt, msg], arguments.length);
    if (opt === false && msg === void 0)
      return this;
    const showHiddenOpt = typeof opt === "string" ? opt : __classPrivateFieldGet(this, _YargsInstance_defaultShowHiddenOpt, "f");
    this.boolean(showHiddenOpt);
    this.describe(showHiddenOpt, msg || __classPrivateFieldGet(this, _YargsInstance_usage, "f").deferY18nLookup("Show hidden options"));
    __classPrivateFieldGet(this, _YargsInstance_options, "f").showHiddenOpt = showHiddenOpt;
    return this;
  }
  showHidden(opt, msg) {
    return this.addShowHiddenOpt(opt, msg);
  }
  alias(key, value) {
    argsert("<object|string|array> [string|array]", [key, value], arguments.length);
    this[kPopulateParserHintArrayDictionary](this.alias.bind(this), "alias", key, value);
    return this;
  }
  array(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("array", keys);
    this[kTrackManuallySetKeys](keys);
    return this;
  }
  boolean(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("boolean", keys);
    this[kTrackManuallySetKeys](keys);
    return this;
  }
  check(f, global2) {
    argsert("<function> [boolean]", [f, global2], arguments.length);
    this.middleware((argv, _yargs) => {
      return maybeAsyncResult(() => {
        return f(argv, _yargs.getOptions());
      }, (result) => {
        if (!result) {
          __classPrivateFieldGet(this, _YargsInstance_usage, "f").fail(__classPrivateFieldGet(this, _YargsInstance_shim, "f").y18n.__("Argument check failed: %s", f.toString()));
        } else if (typeof result === "string" || result instanceof Error) {
          __classPrivateFieldGet(this, _YargsInstance_usage, "f").fail(result.toString(), result);
        }
        return argv;
      }, (err) => {
        __classPrivateFieldGet(this, _YargsInstance_usage, "f").fail(err.message ? err.message : err.toString(), err);
        return argv;
      });
    }, false, global2);
    return this;
  }
  choices(key, value) {
    argsert("<object|string|array> [string|array]", [key, value], arguments.length);
    this[kPopulateParserHintArrayDictionary](this.choices.bind(this), "choices", key, value);
    return this;
  }
  coerce(keys, value) {
    argsert("<object|string|array> [function]", [keys, value], arguments.length);
    if (Array.isArray(keys)) {
      if (!value) {
        throw new YError("coerce callback must be provided");
      }
      for (const key of keys) {
        this.coerce(key, value);
      }
      return this;
    } else if (typeof keys === "object") {
      for (const key of Object.keys(keys)) {
        this.coerce(key, keys[key]);
      }
      return this;
    }
    if (!value) {
      throw new YError("coerce callback must be provided");
    }
    __classPrivateFieldGet(this, _YargsInstance_options, "f").key[keys] = true;
    __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").addCoerceMiddleware((argv, yargs) => {
      let aliases;
      const shouldCoerce = Object.prototype.hasOwnProperty.call(argv, keys);
      if (!shouldCoerce) {
        return argv;
      }
      return maybeAsyncResult(() => {
        aliases = yargs.getAliases();
        return value(argv[keys]);
      }, (result) => {
        argv[keys] = result;
        const stripAliased = yargs.getInternalMethods().getParserConfiguration()["strip-aliased"];
        if (aliases[keys] && stripAliased !== true) {
          for (const alias of aliases[keys]) {
            argv[alias] = result;
          }
        }
        return argv;
      }, (err) => {
        throw new YError(err.message);
      });
    }, keys);
    return this;
  }
  conflicts(key1, key2) {
    argsert("<string|object> [string|array]", [key1, key2], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_validation, "f").conflicts(key1, key2);
    return this;
  }
  config(key = "config", msg, parseFn) {
    argsert("[object|string] [string|function] [function]", [key, msg, parseFn], arguments.length);
    if (typeof key === "object" && !Array.isArray(key)) {
      key = applyExtends(key, __classPrivateFieldGet(this, _YargsInstance_cwd, "f"), this[kGetParserConfiguration]()["deep-merge-config"] || false, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      __classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects = (__classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects || []).concat(key);
      return this;
    }
    if (typeof msg === "function") {
      parseFn = msg;
      msg = void 0;
    }
    this.describe(key, msg || __classPrivateFieldGet(this, _YargsInstance_usage, "f").deferY18nLookup("Path to JSON config file"));
    (Array.isArray(key) ? key : [key]).forEach((k) => {
      __classPrivateFieldGet(this, _YargsInstance_options, "f").config[k] = parseFn || true;
    });
    return this;
  }
  completion(cmd, desc, fn) {
    argsert("[string] [string|boolean|function] [function]", [cmd, desc, fn], arguments.length);
    if (typeof desc === "function") {
      fn = desc;
      desc = void 0;
    }
    __classPrivateFieldSet(this, _YargsInstance_completionCommand, cmd || __classPrivateFieldGet(this, _YargsInstance_completionCommand, "f") || "completion", "f");
    if (!desc && desc !== false) {
      desc = "generate completion script";
    }
    this.command(__classPrivateFieldGet(this, _YargsInstance_completionCommand, "f"), desc);
    if (fn)
      __classPrivateFieldGet(this, _YargsInstance_completion, "f").registerFunction(fn);
    return this;
  }
  command(cmd, description, builder, handler, middlewares, deprecated) {
    argsert("<string|array|object> [string|boolean] [function|object] [function] [array] [boolean|string]", [cmd, description, builder, handler, middlewares, deprecated], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_command, "f").addHandler(cmd, description, builder, handler, middlewares, deprecated);
    return this;
  }
  commands(cmd, description, builder, handler, middlewares, deprecated) {
    return this.command(cmd, description, builder, handler, middlewares, deprecated);
  }
  commandDir(dir, opts) {
    argsert("<string> [object]", [dir, opts], arguments.length);
    const req = __classPrivateFieldGet(this, _YargsInstance_parentRequire, "f") || __classPrivateFieldGet(this, _YargsInstance_shim, "f").require;
    __classPrivateFieldGet(this, _YargsInstance_command, "f").addDirectory(dir, req, __classPrivateFieldGet(this, _YargsInstance_shim, "f").getCallerFile(), opts);
    return this;
  }
  count(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("count", keys);
    this[kTrackManuallySetKeys](keys);
    return this;
  }
  default(key, value, defaultDescription) {
    argsert("<object|string|array> [*] [string]", [key, value, defaultDescription], arguments.length);
    if (defaultDescription) {
      assertSingleKey(key, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      __classPrivateFieldGet(this, _YargsInstance_options, "f").defaultDescription[key] = defaultDescription;
    }
    if (typeof value === "function") {
      assertSingleKey(key, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      if (!__classPrivateFieldGet(this, _YargsInstance_options, "f").defaultDescription[key])
        __classPrivateFieldGet(this, _YargsInstance_options, "f").defaultDescription[key] = __classPrivateFieldGet(this, _YargsInstance_usage, "f").functionDescription(value);
      value = value.call();
    }
    this[kPopulateParserHintSingleValueDictionary](this.default.bind(this), "default", key, value);
    return this;
  }
  defaults(key, value, defaultDescription) {
    return this.default(key, value, defaultDescription);
  }
  demandCommand(min = 1, max, minMsg, maxMsg) {
    argsert("[number] [number|string] [string|null|undefined] [string|null|undefined]", [min, max, minMsg, maxMsg], arguments.length);
    if (typeof max !== "number") {
      minMsg = max;
      max = Infinity;
    }
    this.global("_", false);
    __classPrivateFieldGet(this, _YargsInstance_options, "f").demandedCommands._ = {
      min,
      max,
      minMsg,
      maxMsg
    };
    return this;
  }
  demand(keys, max, msg) {
    if (Array.isArray(max)) {
      max.forEach((key) => {
        assertNotStrictEqual(msg, true, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
        this.demandOption(key, msg);
      });
      max = Infinity;
    } else if (typeof max !== "number") {
      msg = max;
      max = Infinity;
    }
    if (typeof keys === "number") {
      assertNotStrictEqual(msg, true, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      this.demandCommand(keys, max, msg, msg);
    } else if (Array.isArray(keys)) {
      keys.forEach((key) => {
        assertNotStrictEqual(msg, true, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
        this.demandOption(key, msg);
      });
    } else {
      if (typeof msg === "string") {
        this.demandOption(keys, msg);
      } else if (msg === true || typeof msg === "undefined") {
        this.demandOption(keys);
      }
    }
    return this;
  }
  demandOption(keys, msg) {
    argsert("<object|string|array> [string]", [keys, msg], arguments.length);
    this[kPopulateParserHintSingleValueDictionary](this.demandOption.bind(this), "demandedOptions", keys, msg);
    return this;
  }
  deprecateOption(option, message2) {
    argsert("<string> [string|boolean]", [option, message2], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_options, "f").deprecatedOptions[option] = message2;
    return this;
  }
  describe(keys, description) {
    argsert("<object|string|array> [string]", [keys, description], arguments.length);
    this[kSetKey](keys, true);
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").describe(keys, description);
    return this;
  }
  detectLocale(detect) {
    argsert("<boolean>", [detect], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_detectLocale, detect, "f");
    return this;
  }
  env(prefix) {
    argsert("[string|boolean]", [prefix], arguments.length);
    if (prefix === false)
      delete __classPrivateFieldGet(this, _YargsInstance_options, "f").envPrefix;
    else
      __classPrivateFieldGet(this, _YargsInstance_options, "f").envPrefix = prefix || "";
    return this;
  }
  epilogue(msg) {
    argsert("<string>", [msg], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").epilog(msg);
    return this;
  }
  epilog(msg) {
    return this.epilogue(msg);
  }
  example(cmd, description) {
    argsert("<string|array> [string]", [cmd, description], arguments.length);
    if (Array.isArray(cmd)) {
      cmd.forEach((exampleParams) => this.example(...exampleParams));
    } else {
      __classPrivateFieldGet(this, _YargsInstance_usage, "f").example(cmd, description);
    }
    return this;
  }
  exit(code, err) {
    __classPrivateFieldSet(this, _YargsInstance_hasOutput, true, "f");
    __classPrivateFieldSet(this, _YargsInstance_exitError, err, "f");
    if (__classPrivateFieldGet(this, _YargsInstance_exitProcess, "f"))
      __classPrivateFieldGet(this, _YargsInstance_shim, "f").process.exit(code);
  }
  exitProcess(enabled = true) {
    argsert("[boolean]", [enabled], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_exitProcess, enabled, "f");
    return this;
  }
  fail(f) {
    argsert("<function|boolean>", [f], arguments.length);
    if (typeof f === "boolean" && f !== false) {
      throw new YError("Invalid first argument. Expected function or boolean 'false'");
    }
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").failFn(f);
    return this;
  }
  getAliases() {
    return this.parsed ? this.parsed.aliases : {};
  }
  async getCompletion(args, done) {
    argsert("<array> [function]", [args, done], arguments.length);
    if (!done) {
      return new Promise((resolve9, reject) => {
        __classPrivateFieldGet(this, _YargsInstance_completion, "f").getCompletion(args, (err, completions) => {
          if (err)
            reject(err);
          else
            resolve9(completions);
        });
      });
    } else {
      return __classPrivateFieldGet(this, _YargsInstance_completion, "f").getCompletion(args, done);
    }
  }
  getDemandedOptions() {
    argsert([], 0);
    return __classPrivateFieldGet(this, _YargsInstance_options, "f").demandedOptions;
  }
  getDemandedCommands() {
    argsert([], 0);
    return __classPrivateFieldGet(this, _YargsInstance_options, "f").demandedCommands;
  }
  getDeprecatedOptions() {
    argsert([], 0);
    return __classPrivateFieldGet(this, _YargsInstance_options, "f").deprecatedOptions;
  }
  getDetectLocale() {
    return __classPrivateFieldGet(this, _YargsInstance_detectLocale, "f");
  }
  getExitProcess() {
    return __classPrivateFieldGet(this, _YargsInstance_exitProcess, "f");
  }
  getGroups() {
    return Object.assign({}, __classPrivateFieldGet(this, _YargsInstance_groups, "f"), __classPrivateFieldGet(this, _YargsInstance_preservedGroups, "f"));
  }
  getHelp() {
    __classPrivateFieldSet(this, _YargsInstance_hasOutput, true, "f");
    if (!__classPrivateFieldGet(this, _YargsInstance_usage, "f").hasCachedHelpMessage()) {
      if (!this.parsed) {
        const parse2 = this[kRunYargsParserAndExecuteCommands](__classPrivateFieldGet(this, _YargsInstance_processArgs, "f"), void 0, void 0, 0, true);
        if (isPromise(parse2)) {
          return parse2.then(() => {
            return __classPrivateFieldGet(this, _YargsInstance_usage, "f").help();
          });
        }
      }
      const builderResponse = __classPrivateFieldGet(this, _YargsInstance_command, "f").runDefaultBuilderOn(this);
      if (isPromise(builderResponse)) {
        return builderResponse.then(() => {
          return __classPrivateFieldGet(this, _YargsInstance_usage, "f").help();
        });
      }
    }
    return Promise.resolve(__classPrivateFieldGet(this, _YargsInstance_usage, "f").help());
  }
  getOptions() {
    return __classPrivateFieldGet(this, _YargsInstance_options, "f");
  }
  getStrict() {
    return __classPrivateFieldGet(this, _YargsInstance_strict, "f");
  }
  getStrictCommands() {
    return __classPrivateFieldGet(this, _YargsInstance_strictCommands, "f");
  }
  getStrictOptions() {
    return __classPrivateFieldGet(this, _YargsInstance_strictOptions, "f");
  }
  global(globals, global2) {
    argsert("<string|array> [boolean]", [globals, global2], arguments.length);
    globals = [].concat(globals);
    if (global2 !== false) {
      __classPrivateFieldGet(this, _YargsInstance_options, "f").local = __classPrivateFieldGet(this, _YargsInstance_options, "f").local.filter((l) => globals.indexOf(l) === -1);
    } else {
      globals.forEach((g) => {
        if (!__classPrivateFieldGet(this, _YargsInstance_options, "f").local.includes(g))
          __classPrivateFieldGet(this, _YargsInstance_options, "f").local.push(g);
      });
    }
    return this;
  }
  group(opts, groupName) {
    argsert("<string|array> <string>", [opts, groupName], arguments.length);
    const existing = __classPrivateFieldGet(this, _YargsInstance_preservedGroups, "f")[groupName] || __classPrivateFieldGet(this, _YargsInstance_groups, "f")[groupName];
    if (__classPrivateFieldGet(this, _YargsInstance_preservedGroups, "f")[groupName]) {
      delete __classPrivateFieldGet(this, _YargsInstance_preservedGroups, "f")[groupName];
    }
    const seen = {};
    __classPrivateFieldGet(this, _YargsInstance_groups, "f")[groupName] = (existing || []).concat(opts).filter((key) => {
      if (seen[key])
        return false;
      return seen[key] = true;
    });
    return this;
  }
  hide(key) {
    argsert("<string>", [key], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_options, "f").hiddenOptions.push(key);
    return this;
  }
  implies(key, value) {
    argsert("<string|object> [number|string|array]", [key, value], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_validation, "f").implies(key, value);
    return this;
  }
  locale(locale) {
    argsert("[string]", [locale], arguments.length);
    if (locale === void 0) {
      this[kGuessLocale]();
      return __classPrivateFieldGet(this, _YargsInstance_shim, "f").y18n.getLocale();
    }
    __classPrivateFieldSet(this, _YargsInstance_detectLocale, false, "f");
    __classPrivateFieldGet(this, _YargsInstance_shim, "f").y18n.setLocale(locale);
    return this;
  }
  middleware(callback, applyBeforeValidation, global2) {
    return __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").addMiddleware(callback, !!applyBeforeValidation, global2);
  }
  nargs(key, value) {
    argsert("<string|object|array> [number]", [key, value], arguments.length);
    this[kPopulateParserHintSingleValueDictionary](this.nargs.bind(this), "narg", key, value);
    return this;
  }
  normalize(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("normalize", keys);
    return this;
  }
  number(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("number", keys);
    this[kTrackManuallySetKeys](keys);
    return this;
  }
  option(key, opt) {
    argsert("<string|object> [object]", [key, opt], arguments.length);
    if (typeof key === "object") {
      Object.keys(key).forEach((k) => {
        this.options(k, key[k]);
      });
    } else {
      if (typeof opt !== "object") {
        opt = {};
      }
      this[kTrackManuallySetKeys](key);
      if (__classPrivateFieldGet(this, _YargsInstance_versionOpt, "f") && (key === "version" || (opt === null || opt === void 0 ? void 0 : opt.alias) === "version")) {
        this[kEmitWarning]([
          '"version" is a reserved word.',
          "Please do one of the following:",
          '- Disable version with `yargs.version(false)` if using "version" as an option',
          "- Use the built-in `yargs.version` method instead (if applicable)",
          "- Use a different option key",
          "https://yargs.js.org/docs/#api-reference-version"
        ].join("\n"), void 0, "versionWarning");
      }
      __classPrivateFieldGet(this, _YargsInstance_options, "f").key[key] = true;
      if (opt.alias)
        this.alias(key, opt.alias);
      const deprecate = opt.deprecate || opt.deprecated;
      if (deprecate) {
        this.deprecateOption(key, deprecate);
      }
      const demand = opt.demand || opt.required || opt.require;
      if (demand) {
        this.demand(key, demand);
      }
      if (opt.demandOption) {
        this.demandOption(key, typeof opt.demandOption === "string" ? opt.demandOption : void 0);
      }
      if (opt.conflicts) {
        this.conflicts(key, opt.conflicts);
      }
      if ("default" in opt) {
        this.default(key, opt.default);
      }
      if (opt.implies !== void 0) {
        this.implies(key, opt.implies);
      }
      if (opt.nargs !== void 0) {
        this.nargs(key, opt.nargs);
      }
      if (opt.config) {
        this.config(key, opt.configParser);
      }
      if (opt.normalize) {
        this.normalize(key);
      }
      if (opt.choices) {
        this.choices(key, opt.choices);
      }
      if (opt.coerce) {
        this.coerce(key, opt.coerce);
      }
      if (opt.group) {
        this.group(key, opt.group);
      }
      if (opt.boolean || opt.type === "boolean") {
        this.boolean(key);
        if (opt.alias)
          this.boolean(opt.alias);
      }
      if (opt.array || opt.type === "array") {
        this.array(key);
        if (opt.alias)
          this.array(opt.alias);
      }
      if (opt.number || opt.type === "number") {
        this.number(key);
        if (opt.alias)
          this.number(opt.alias);
      }
      if (opt.string || opt.type === "string") {
        this.string(key);
        if (opt.alias)
          this.string(opt.alias);
      }
      if (opt.count || opt.type === "count") {
        this.count(key);
      }
      if (typeof opt.global === "boolean") {
        this.global(key, opt.global);
      }
      if (opt.defaultDescription) {
        __classPrivateFieldGet(this, _YargsInstance_options, "f").defaultDescription[key] = opt.defaultDescription;
      }
      if (opt.skipValidation) {
        this.skipValidation(key);
      }
      const desc = opt.describe || opt.description || opt.desc;
      const descriptions = __classPrivateFieldGet(this, _YargsInstance_usage, "f").getDescriptions();
      if (!Object.prototype.hasOwnProperty.call(descriptions, key) || typeof desc === "string") {
        this.describe(key, desc);
      }
      if (opt.hidden) {
        this.hide(key);
      }
      if (opt.requiresArg) {
        this.requiresArg(key);
      }
    }
    return this;
  }
  options(key, opt) {
    return this.option(key, opt);
  }
  parse(args, shortCircuit, _parseFn) {
    argsert("[string|array] [function|boolean|object] [function]", [args, shortCircuit, _parseFn], arguments.length);
    this[kFreeze]();
    if (typeof args === "undefined") {
      args = __classPrivateFieldGet(this, _YargsInstance_processArgs, "f");
    }
    if (typeof shortCircuit === "object") {
      __classPrivateFieldSet(this, _YargsInstance_parseContext, shortCircuit, "f");
      shortCircuit = _parseFn;
    }
    if (typeof shortCircuit === "function") {
      __classPrivateFieldSet(this, _YargsInstance_parseFn, shortCircuit, "f");
      shortCircuit = false;
    }
    if (!shortCircuit)
      __classPrivateFieldSet(this, _YargsInstance_processArgs, args, "f");
    if (__classPrivateFieldGet(this, _YargsInstance_parseFn, "f"))
      __classPrivateFieldSet(this, _YargsInstance_exitProcess, false, "f");
    const parsed = this[kRunYargsParserAndExecuteCommands](args, !!shortCircuit);
    const tmpParsed = this.parsed;
    __classPrivateFieldGet(this, _YargsInstance_completion, "f").setParsed(this.parsed);
    if (isPromise(parsed)) {
      return parsed.then((argv) => {
        if (__classPrivateFieldGet(this, _YargsInstance_parseFn, "f"))
          __classPrivateFieldGet(this, _YargsInstance_parseFn, "f").call(this, __classPrivateFieldGet(this, _YargsInstance_exitError, "f"), argv, __classPrivateFieldGet(this, _YargsInstance_output, "f"));
        return argv;
      }).catch((err) => {
        if (__classPrivateFieldGet(this, _YargsInstance_parseFn, "f")) {
          __classPrivateFieldGet(this, _YargsInstance_parseFn, "f")(err, this.parsed.argv, __classPrivateFieldGet(this, _YargsInstance_output, "f"));
        }
        throw err;
      }).finally(() => {
        this[kUnfreeze]();
        this.parsed = tmpParsed;
      });
    } else {
      if (__classPrivateFieldGet(this, _YargsInstance_parseFn, "f"))
        __classPrivateFieldGet(this, _YargsInstance_parseFn, "f").call(this, __classPrivateFieldGet(this, _YargsInstance_exitError, "f"), parsed, __classPrivateFieldGet(this, _YargsInstance_output, "f"));
      this[kUnfreeze]();
      this.parsed = tmpParsed;
    }
    return parsed;
  }
  parseAsync(args, shortCircuit, _parseFn) {
    const maybePromise = this.parse(args, shortCircuit, _parseFn);
    return !isPromise(maybePromise) ? Promise.resolve(maybePromise) : maybePromise;
  }
  parseSync(args, shortCircuit, _parseFn) {
    const maybePromise = this.parse(args, shortCircuit, _parseFn);
    if (isPromise(maybePromise)) {
      throw new YError(".parseSync() must not be used with asynchronous builders, handlers, or middleware");
    }
    return maybePromise;
  }
  parserConfiguration(config) {
    argsert("<object>", [config], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_parserConfig, config, "f");
    return this;
  }
  pkgConf(key, rootPath) {
    argsert("<string> [string]", [key, rootPath], arguments.length);
    let conf = null;
    const obj = this[kPkgUp](rootPath || __classPrivateFieldGet(this, _YargsInstance_cwd, "f"));
    if (obj[key] && typeof obj[key] === "object") {
      conf = applyExtends(obj[key], rootPath || __classPrivateFieldGet(this, _YargsInstance_cwd, "f"), this[kGetParserConfiguration]()["deep-merge-config"] || false, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      __classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects = (__classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects || []).concat(conf);
    }
    return this;
  }
  positional(key, opts) {
    argsert("<string> <object>", [key, opts], arguments.length);
    const supportedOpts = [
      "default",
      "defaultDescription",
      "implies",
      "normalize",
      "choices",
      "conflicts",
      "coerce",
      "type",
      "describe",
      "desc",
      "description",
      "alias"
    ];
    opts = objFilter(opts, (k, v) => {
      if (k === "type" && !["string", "number", "boolean"].includes(v))
        return false;
      return supportedOpts.includes(k);
    });
    const fullCommand = __classPrivateFieldGet(this, _YargsInstance_context, "f").fullCommands[__classPrivateFieldGet(this, _YargsInstance_context, "f").fullCommands.length - 1];
    const parseOptions = fullCommand ? __classPrivateFieldGet(this, _YargsInstance_command, "f").cmdToParseOptions(fullCommand) : {
      array: [],
      alias: {},
      default: {},
      demand: {}
    };
    objectKeys(parseOptions).forEach((pk) => {
      const parseOption = parseOptions[pk];
      if (Array.isArray(parseOption)) {
        if (parseOption.indexOf(key) !== -1)
          opts[pk] = true;
      } else {
        if (parseOption[key] && !(pk in opts))
          opts[pk] = parseOption[key];
      }
    });
    this.group(key, __classPrivateFieldGet(this, _YargsInstance_usage, "f").getPositionalGroupName());
    return this.option(key, opts);
  }
  recommendCommands(recommend = true) {
    argsert("[boolean]", [recommend], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_recommendCommands, recommend, "f");
    return this;
  }
  required(keys, max, msg) {
    return this.demand(keys, max, msg);
  }
  require(keys, max, msg) {
    return this.demand(keys, max, msg);
  }
  requiresArg(keys) {
    argsert("<array|string|object> [number]", [keys], arguments.length);
    if (typeof keys === "string" && __classPrivateFieldGet(this, _YargsInstance_options, "f").narg[keys]) {
      return this;
    } else {
      this[kPopulateParserHintSingleValueDictionary](this.requiresArg.bind(this), "narg", keys, NaN);
    }
    return this;
  }
  showCompletionScript($0, cmd) {
    argsert("[string] [string]", [$0, cmd], arguments.length);
    $0 = $0 || this.$0;
    __classPrivateFieldGet(this, _YargsInstance_logger, "f").log(__classPrivateFieldGet(this, _YargsInstance_completion, "f").generateCompletionScript($0, cmd || __classPrivateFieldGet(this, _YargsInstance_completionCommand, "f") || "completion"));
    return this;
  }
  showHelp(level) {
    argsert("[string|function]", [level], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_hasOutput, true, "f");
    if (!__classPrivateFieldGet(this, _YargsInstance_usage, "f").hasCachedHelpMessage()) {
      if (!this.parsed) {
        const parse2 = this[kRunYargsParserAndExecuteCommands](__classPrivateFieldGet(this, _YargsInstance_processArgs, "f"), void 0, void 0, 0, true);
        if (isPromise(parse2)) {
          parse2.then(() => {
            __classPrivateFieldGet(this, _YargsInstance_usage, "f").showHelp(level);
          });
          return this;
        }
      }
      const builderResponse = __classPrivateFieldGet(this, _YargsInstance_command, "f").runDefaultBuilderOn(this);
      if (isPromise(builderResponse)) {
        builderResponse.then(() => {
          __classPrivateFieldGet(this, _YargsInstance_usage, "f").showHelp(level);
        });
        return this;
      }
    }
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").showHelp(level);
    return this;
  }
  scriptName(scriptName) {
    this.customScriptName = true;
    this.$0 = scriptName;
    return this;
  }
  showHelpOnFail(enabled, message2) {
    argsert("[boolean|string] [string]", [enabled, message2], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").showHelpOnFail(enabled, message2);
    return this;
  }
  showVersion(level) {
    argsert("[string|function]", [level], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").showVersion(level);
    return this;
  }
  skipValidation(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("skipValidation", keys);
    return this;
  }
  strict(enabled) {
    argsert("[boolean]", [enabled], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_strict, enabled !== false, "f");
    return this;
  }
  strictCommands(enabled) {
    argsert("[boolean]", [enabled], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_strictCommands, enabled !== false, "f");
    return this;
  }
  strictOptions(enabled) {
    argsert("[boolean]", [enabled], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_strictOptions, enabled !== false, "f");
    return this;
  }
  string(keys) {
    argsert("<array|string>", [keys], arguments.length);
    this[kPopulateParserHintArray]("string", keys);
    this[kTrackManuallySetKeys](keys);
    return this;
  }
  terminalWidth() {
    argsert([], 0);
    return __classPrivateFieldGet(this, _YargsInstance_shim, "f").process.stdColumns;
  }
  updateLocale(obj) {
    return this.updateStrings(obj);
  }
  updateStrings(obj) {
    argsert("<object>", [obj], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_detectLocale, false, "f");
    __classPrivateFieldGet(this, _YargsInstance_shim, "f").y18n.updateLocale(obj);
    return this;
  }
  usage(msg, description, builder, handler) {
    argsert("<string|null|undefined> [string|boolean] [function|object] [function]", [msg, description, builder, handler], arguments.length);
    if (description !== void 0) {
      assertNotStrictEqual(msg, null, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      if ((msg || "").match(/^\$0( |$)/)) {
        return this.command(msg, description, builder, handler);
      } else {
        throw new YError(".usage() description must start with $0 if being used as alias for .command()");
      }
    } else {
      __classPrivateFieldGet(this, _YargsInstance_usage, "f").usage(msg);
      return this;
    }
  }
  usageConfiguration(config) {
    argsert("<object>", [config], arguments.length);
    __classPrivateFieldSet(this, _YargsInstance_usageConfig, config, "f");
    return this;
  }
  version(opt, msg, ver) {
    const defaultVersionOpt = "version";
    argsert("[boolean|string] [string] [string]", [opt, msg, ver], arguments.length);
    if (__classPrivateFieldGet(this, _YargsInstance_versionOpt, "f")) {
      this[kDeleteFromParserHintObject](__classPrivateFieldGet(this, _YargsInstance_versionOpt, "f"));
      __classPrivateFieldGet(this, _YargsInstance_usage, "f").version(void 0);
      __classPrivateFieldSet(this, _YargsInstance_versionOpt, null, "f");
    }
    if (arguments.length === 0) {
      ver = this[kGuessVersion]();
      opt = defaultVersionOpt;
    } else if (arguments.length === 1) {
      if (opt === false) {
        return this;
      }
      ver = opt;
      opt = defaultVersionOpt;
    } else if (arguments.length === 2) {
      ver = msg;
      msg = void 0;
    }
    __classPrivateFieldSet(this, _YargsInstance_versionOpt, typeof opt === "string" ? opt : defaultVersionOpt, "f");
    msg = msg || __classPrivateFieldGet(this, _YargsInstance_usage, "f").deferY18nLookup("Show version number");
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").version(ver || void 0);
    this.boolean(__classPrivateFieldGet(this, _YargsInstance_versionOpt, "f"));
    this.describe(__classPrivateFieldGet(this, _YargsInstance_versionOpt, "f"), msg);
    return this;
  }
  wrap(cols) {
    argsert("<number|null|undefined>", [cols], arguments.length);
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").wrap(cols);
    return this;
  }
  [(_YargsInstance_command = /* @__PURE__ */ new WeakMap(), _YargsInstance_cwd = /* @__PURE__ */ new WeakMap(), _YargsInstance_context = /* @__PURE__ */ new WeakMap(), _YargsInstance_completion = /* @__PURE__ */ new WeakMap(), _YargsInstance_completionCommand = /* @__PURE__ */ new WeakMap(), _YargsInstance_defaultShowHiddenOpt = /* @__PURE__ */ new WeakMap(), _YargsInstance_exitError = /* @__PURE__ */ new WeakMap(), _YargsInstance_detectLocale = /* @__PURE__ */ new WeakMap(), _YargsInstance_emittedWarnings = /* @__PURE__ */ new WeakMap(), _YargsInstance_exitProcess = /* @__PURE__ */ new WeakMap(), _YargsInstance_frozens = /* @__PURE__ */ new WeakMap(), _YargsInstance_globalMiddleware = /* @__PURE__ */ new WeakMap(), _YargsInstance_groups = /* @__PURE__ */ new WeakMap(), _YargsInstance_hasOutput = /* @__PURE__ */ new WeakMap(), _YargsInstance_helpOpt = /* @__PURE__ */ new WeakMap(), _YargsInstance_isGlobalContext = /* @__PURE__ */ new WeakMap(), _YargsInstance_logger = /* @__PURE__ */ new WeakMap(), _YargsInstance_output = /* @__PURE__ */ new WeakMap(), _YargsInstance_options = /* @__PURE__ */ new WeakMap(), _YargsInstance_parentRequire = /* @__PURE__ */ new WeakMap(), _YargsInstance_parserConfig = /* @__PURE__ */ new WeakMap(), _YargsInstance_parseFn = /* @__PURE__ */ new WeakMap(), _YargsInstance_parseContext = /* @__PURE__ */ new WeakMap(), _YargsInstance_pkgs = /* @__PURE__ */ new WeakMap(), _YargsInstance_preservedGroups = /* @__PURE__ */ new WeakMap(), _YargsInstance_processArgs = /* @__PURE__ */ new WeakMap(), _YargsInstance_recommendCommands = /* @__PURE__ */ new WeakMap(), _YargsInstance_shim = /* @__PURE__ */ new WeakMap(), _YargsInstance_strict = /* @__PURE__ */ new WeakMap(), _YargsInstance_strictCommands = /* @__PURE__ */ new WeakMap(), _YargsInstance_strictOptions = /* @__PURE__ */ new WeakMap(), _YargsInstance_usage = /* @__PURE__ */ new WeakMap(), _YargsInstance_usageConfig = /* @__PURE__ */ new WeakMap(), _YargsInstance_versionOpt = /* @__PURE__ */ new WeakMap(), _YargsInstance_validation = /* @__PURE__ */ new WeakMap(), kCopyDoubleDash)](argv) {
    if (!argv._ || !argv["--"])
      return argv;
    argv._.push.apply(argv._, argv["--"]);
    try {
      delete argv["--"];
    } catch (_err) {
    }
    return argv;
  }
  [kCreateLogger]() {
    return {
      log: (...args) => {
        if (!this[kHasParseCallback]())
          console.log(...args);
        __classPrivateFieldSet(this, _YargsInstance_hasOutput, true, "f");
        if (__classPrivateFieldGet(this, _YargsInstance_output, "f").length)
          __classPrivateFieldSet(this, _YargsInstance_output, __classPrivateFieldGet(this, _YargsInstance_output, "f") + "\n", "f");
        __classPrivateFieldSet(this, _YargsInstance_output, __classPrivateFieldGet(this, _YargsInstance_output, "f") + args.join(" "), "f");
      },
      error: (...args) => {
        if (!this[kHasParseCallback]())
          console.error(...args);
        __classPrivateFieldSet(this, _YargsInstance_hasOutput, true, "f");
        if (__classPrivateFieldGet(this, _YargsInstance_output, "f").length)
          __classPrivateFieldSet(this, _YargsInstance_output, __classPrivateFieldGet(this, _YargsInstance_output, "f") + "\n", "f");
        __classPrivateFieldSet(this, _YargsInstance_output, __classPrivateFieldGet(this, _YargsInstance_output, "f") + args.join(" "), "f");
      }
    };
  }
  [kDeleteFromParserHintObject](optionKey) {
    objectKeys(__classPrivateFieldGet(this, _YargsInstance_options, "f")).forEach((hintKey) => {
      if (/* @__PURE__ */ ((key) => key === "configObjects")(hintKey))
        return;
      const hint2 = __classPrivateFieldGet(this, _YargsInstance_options, "f")[hintKey];
      if (Array.isArray(hint2)) {
        if (hint2.includes(optionKey))
          hint2.splice(hint2.indexOf(optionKey), 1);
      } else if (typeof hint2 === "object") {
        delete hint2[optionKey];
      }
    });
    delete __classPrivateFieldGet(this, _YargsInstance_usage, "f").getDescriptions()[optionKey];
  }
  [kEmitWarning](warning, type2, deduplicationId) {
    if (!__classPrivateFieldGet(this, _YargsInstance_emittedWarnings, "f")[deduplicationId]) {
      __classPrivateFieldGet(this, _YargsInstance_shim, "f").process.emitWarning(warning, type2);
      __classPrivateFieldGet(this, _YargsInstance_emittedWarnings, "f")[deduplicationId] = true;
    }
  }
  [kFreeze]() {
    __classPrivateFieldGet(this, _YargsInstance_frozens, "f").push({
      options: __classPrivateFieldGet(this, _YargsInstance_options, "f"),
      configObjects: __classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects.slice(0),
      exitProcess: __classPrivateFieldGet(this, _YargsInstance_exitProcess, "f"),
      groups: __classPrivateFieldGet(this, _YargsInstance_groups, "f"),
      strict: __classPrivateFieldGet(this, _YargsInstance_strict, "f"),
      strictCommands: __classPrivateFieldGet(this, _YargsInstance_strictCommands, "f"),
      strictOptions: __classPrivateFieldGet(this, _YargsInstance_strictOptions, "f"),
      completionCommand: __classPrivateFieldGet(this, _YargsInstance_completionCommand, "f"),
      output: __classPrivateFieldGet(this, _YargsInstance_output, "f"),
      exitError: __classPrivateFieldGet(this, _YargsInstance_exitError, "f"),
      hasOutput: __classPrivateFieldGet(this, _YargsInstance_hasOutput, "f"),
      parsed: this.parsed,
      parseFn: __classPrivateFieldGet(this, _YargsInstance_parseFn, "f"),
      parseContext: __classPrivateFieldGet(this, _YargsInstance_parseContext, "f")
    });
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").freeze();
    __classPrivateFieldGet(this, _YargsInstance_validation, "f").freeze();
    __classPrivateFieldGet(this, _YargsInstance_command, "f").freeze();
    __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").freeze();
  }
  [kGetDollarZero]() {
    let $0 = "";
    let default$0;
    if (/\b(node|iojs|electron)(\.exe)?$/.test(__classPrivateFieldGet(this, _YargsInstance_shim, "f").process.argv()[0])) {
      default$0 = __classPrivateFieldGet(this, _YargsInstance_shim, "f").process.argv().slice(1, 2);
    } else {
      default$0 = __classPrivateFieldGet(this, _YargsInstance_shim, "f").process.argv().slice(0, 1);
    }
    $0 = default$0.map((x) => {
      const b = this[kRebase](__classPrivateFieldGet(this, _YargsInstance_cwd, "f"), x);
      return x.match(/^(\/|([a-zA-Z]:)?\\)/) && b.length < x.length ? b : x;
    }).join(" ").trim();
    if (__classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("_") && __classPrivateFieldGet(this, _YargsInstance_shim, "f").getProcessArgvBin() === __classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("_")) {
      $0 = __classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("_").replace(`${__classPrivateFieldGet(this, _YargsInstance_shim, "f").path.dirname(__classPrivateFieldGet(this, _YargsInstance_shim, "f").process.execPath())}/`, "");
    }
    return $0;
  }
  [kGetParserConfiguration]() {
    return __classPrivateFieldGet(this, _YargsInstance_parserConfig, "f");
  }
  [kGetUsageConfiguration]() {
    return __classPrivateFieldGet(this, _YargsInstance_usageConfig, "f");
  }
  [kGuessLocale]() {
    if (!__classPrivateFieldGet(this, _YargsInstance_detectLocale, "f"))
      return;
    const locale = __classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("LC_ALL") || __classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("LC_MESSAGES") || __classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("LANG") || __classPrivateFieldGet(this, _YargsInstance_shim, "f").getEnv("LANGUAGE") || "en_US";
    this.locale(locale.replace(/[.:].*/, ""));
  }
  [kGuessVersion]() {
    const obj = this[kPkgUp]();
    return obj.version || "unknown";
  }
  [kParsePositionalNumbers](argv) {
    const args = argv["--"] ? argv["--"] : argv._;
    for (let i = 0, arg; (arg = args[i]) !== void 0; i++) {
      if (__classPrivateFieldGet(this, _YargsInstance_shim, "f").Parser.looksLikeNumber(arg) && Number.isSafeInteger(Math.floor(parseFloat(`${arg}`)))) {
        args[i] = Number(arg);
      }
    }
    return argv;
  }
  [kPkgUp](rootPath) {
    const npath = rootPath || "*";
    if (__classPrivateFieldGet(this, _YargsInstance_pkgs, "f")[npath])
      return __classPrivateFieldGet(this, _YargsInstance_pkgs, "f")[npath];
    let obj = {};
    try {
      let startDir = rootPath || __classPrivateFieldGet(this, _YargsInstance_shim, "f").mainFilename;
      if (!rootPath && __classPrivateFieldGet(this, _YargsInstance_shim, "f").path.extname(startDir)) {
        startDir = __classPrivateFieldGet(this, _YargsInstance_shim, "f").path.dirname(startDir);
      }
      const pkgJsonPath = __classPrivateFieldGet(this, _YargsInstance_shim, "f").findUp(startDir, (dir, names) => {
        if (names.includes("package.json")) {
          return "package.json";
        } else {
          return void 0;
        }
      });
      assertNotStrictEqual(pkgJsonPath, void 0, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
      obj = JSON.parse(__classPrivateFieldGet(this, _YargsInstance_shim, "f").readFileSync(pkgJsonPath, "utf8"));
    } catch (_noop) {
    }
    __classPrivateFieldGet(this, _YargsInstance_pkgs, "f")[npath] = obj || {};
    return __classPrivateFieldGet(this, _YargsInstance_pkgs, "f")[npath];
  }
  [kPopulateParserHintArray](type2, keys) {
    keys = [].concat(keys);
    keys.forEach((key) => {
      key = this[kSanitizeKey](key);
      __classPrivateFieldGet(this, _YargsInstance_options, "f")[type2].push(key);
    });
  }
  [kPopulateParserHintSingleValueDictionary](builder, type2, key, value) {
    this[kPopulateParserHintDictionary](builder, type2, key, value, (type3, key2, value2) => {
      __classPrivateFieldGet(this, _YargsInstance_options, "f")[type3][key2] = value2;
    });
  }
  [kPopulateParserHintArrayDictionary](builder, type2, key, value) {
    this[kPopulateParserHintDictionary](builder, type2, key, value, (type3, key2, value2) => {
      __classPrivateFieldGet(this, _YargsInstance_options, "f")[type3][key2] = (__classPrivateFieldGet(this, _YargsInstance_options, "f")[type3][key2] || []).concat(value2);
    });
  }
  [kPopulateParserHintDictionary](builder, type2, key, value, singleKeyHandler) {
    if (Array.isArray(key)) {
      key.forEach((k) => {
        builder(k, value);
      });
    } else if (/* @__PURE__ */ ((key2) => typeof key2 === "object")(key)) {
      for (const k of objectKeys(key)) {
        builder(k, key[k]);
      }
    } else {
      singleKeyHandler(type2, this[kSanitizeKey](key), value);
    }
  }
  [kSanitizeKey](key) {
    if (key === "__proto__")
      return "___proto___";
    return key;
  }
  [kSetKey](key, set) {
    this[kPopulateParserHintSingleValueDictionary](this[kSetKey].bind(this), "key", key, set);
    return this;
  }
  [kUnfreeze]() {
    var _a2, _b2, _c2, _d, _e, _f, _g, _h, _j, _k, _l, _m;
    const frozen = __classPrivateFieldGet(this, _YargsInstance_frozens, "f").pop();
    assertNotStrictEqual(frozen, void 0, __classPrivateFieldGet(this, _YargsInstance_shim, "f"));
    let configObjects;
    _a2 = this, _b2 = this, _c2 = this, _d = this, _e = this, _f = this, _g = this, _h = this, _j = this, _k = this, _l = this, _m = this, {
      options: { set value(_o) {
        __classPrivateFieldSet(_a2, _YargsInstance_options, _o, "f");
      } }.value,
      configObjects,
      exitProcess: { set value(_o) {
        __classPrivateFieldSet(_b2, _YargsInstance_exitProcess, _o, "f");
      } }.value,
      groups: { set value(_o) {
        __classPrivateFieldSet(_c2, _YargsInstance_groups, _o, "f");
      } }.value,
      output: { set value(_o) {
        __classPrivateFieldSet(_d, _YargsInstance_output, _o, "f");
      } }.value,
      exitError: { set value(_o) {
        __classPrivateFieldSet(_e, _YargsInstance_exitError, _o, "f");
      } }.value,
      hasOutput: { set value(_o) {
        __classPrivateFieldSet(_f, _YargsInstance_hasOutput, _o, "f");
      } }.value,
      parsed: this.parsed,
      strict: { set value(_o) {
        __classPrivateFieldSet(_g, _YargsInstance_strict, _o, "f");
      } }.value,
      strictCommands: { set value(_o) {
        __classPrivateFieldSet(_h, _YargsInstance_strictCommands, _o, "f");
      } }.value,
      strictOptions: { set value(_o) {
        __classPrivateFieldSet(_j, _YargsInstance_strictOptions, _o, "f");
      } }.value,
      completionCommand: { set value(_o) {
        __classPrivateFieldSet(_k, _YargsInstance_completionCommand, _o, "f");
      } }.value,
      parseFn: { set value(_o) {
        __classPrivateFieldSet(_l, _YargsInstance_parseFn, _o, "f");
      } }.value,
      parseContext: { set value(_o) {
        __classPrivateFieldSet(_m, _YargsInstance_parseContext, _o, "f");
      } }.value
    } = frozen;
    __classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects = configObjects;
    __classPrivateFieldGet(this, _YargsInstance_usage, "f").unfreeze();
    __classPrivateFieldGet(this, _YargsInstance_validation, "f").unfreeze();
    __classPrivateFieldGet(this, _YargsInstance_command, "f").unfreeze();
    __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").unfreeze();
  }
  [kValidateAsync](validation2, argv) {
    return maybeAsyncResult(argv, (result) => {
      validation2(result);
      return result;
    });
  }
  getInternalMethods() {
    return {
      getCommandInstance: this[kGetCommandInstance].bind(this),
      getContext: this[kGetContext].bind(this),
      getHasOutput: this[kGetHasOutput].bind(this),
      getLoggerInstance: this[kGetLoggerInstance].bind(this),
      getParseContext: this[kGetParseContext].bind(this),
      getParserConfiguration: this[kGetParserConfiguration].bind(this),
      getUsageConfiguration: this[kGetUsageConfiguration].bind(this),
      getUsageInstance: this[kGetUsageInstance].bind(this),
      getValidationInstance: this[kGetValidationInstance].bind(this),
      hasParseCallback: this[kHasParseCallback].bind(this),
      isGlobalContext: this[kIsGlobalContext].bind(this),
      postProcess: this[kPostProcess].bind(this),
      reset: this[kReset].bind(this),
      runValidation: this[kRunValidation].bind(this),
      runYargsParserAndExecuteCommands: this[kRunYargsParserAndExecuteCommands].bind(this),
      setHasOutput: this[kSetHasOutput].bind(this)
    };
  }
  [kGetCommandInstance]() {
    return __classPrivateFieldGet(this, _YargsInstance_command, "f");
  }
  [kGetContext]() {
    return __classPrivateFieldGet(this, _YargsInstance_context, "f");
  }
  [kGetHasOutput]() {
    return __classPrivateFieldGet(this, _YargsInstance_hasOutput, "f");
  }
  [kGetLoggerInstance]() {
    return __classPrivateFieldGet(this, _YargsInstance_logger, "f");
  }
  [kGetParseContext]() {
    return __classPrivateFieldGet(this, _YargsInstance_parseContext, "f") || {};
  }
  [kGetUsageInstance]() {
    return __classPrivateFieldGet(this, _YargsInstance_usage, "f");
  }
  [kGetValidationInstance]() {
    return __classPrivateFieldGet(this, _YargsInstance_validation, "f");
  }
  [kHasParseCallback]() {
    return !!__classPrivateFieldGet(this, _YargsInstance_parseFn, "f");
  }
  [kIsGlobalContext]() {
    return __classPrivateFieldGet(this, _YargsInstance_isGlobalContext, "f");
  }
  [kPostProcess](argv, populateDoubleDash, calledFromCommand, runGlobalMiddleware) {
    if (calledFromCommand)
      return argv;
    if (isPromise(argv))
      return argv;
    if (!populateDoubleDash) {
      argv = this[kCopyDoubleDash](argv);
    }
    const parsePositionalNumbers = this[kGetParserConfiguration]()["parse-positional-numbers"] || this[kGetParserConfiguration]()["parse-positional-numbers"] === void 0;
    if (parsePositionalNumbers) {
      argv = this[kParsePositionalNumbers](argv);
    }
    if (runGlobalMiddleware) {
      argv = applyMiddleware(argv, this, __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").getMiddleware(), false);
    }
    return argv;
  }
  [kReset](aliases = {}) {
    __classPrivateFieldSet(this, _YargsInstance_options, __classPrivateFieldGet(this, _YargsInstance_options, "f") || {}, "f");
    const tmpOptions = {};
    tmpOptions.local = __classPrivateFieldGet(this, _YargsInstance_options, "f").local || [];
    tmpOptions.configObjects = __classPrivateFieldGet(this, _YargsInstance_options, "f").configObjects || [];
    const localLookup = {};
    tmpOptions.local.forEach((l) => {
      localLookup[l] = true;
      (aliases[l] || []).forEach((a) => {
        localLookup[a] = true;
      });
    });
    Object.assign(__classPrivateFieldGet(this, _YargsInstance_preservedGroups, "f"), Object.keys(__classPrivateFieldGet(this, _YargsInstance_groups, "f")).reduce((acc, groupName) => {
      const keys = __classPrivateFieldGet(this, _YargsInstance_groups, "f")[groupName].filter((key) => !(key in localLookup));
      if (keys.length > 0) {
        acc[groupName] = keys;
      }
      return acc;
    }, {}));
    __classPrivateFieldSet(this, _YargsInstance_groups, {}, "f");
    const arrayOptions = [
      "array",
      "boolean",
      "string",
      "skipValidation",
      "count",
      "normalize",
      "number",
      "hiddenOptions"
    ];
    const objectOptions = [
      "narg",
      "key",
      "alias",
      "default",
      "defaultDescription",
      "config",
      "choices",
      "demandedOptions",
      "demandedCommands",
      "deprecatedOptions"
    ];
    arrayOptions.forEach((k) => {
      tmpOptions[k] = (__classPrivateFieldGet(this, _YargsInstance_options, "f")[k] || []).filter((k2) => !localLookup[k2]);
    });
    objectOptions.forEach((k) => {
      tmpOptions[k] = objFilter(__classPrivateFieldGet(this, _YargsInstance_options, "f")[k], (k2) => !localLookup[k2]);
    });
    tmpOptions.envPrefix = __classPrivateFieldGet(this, _YargsInstance_options, "f").envPrefix;
    __classPrivateFieldSet(this, _YargsInstance_options, tmpOptions, "f");
    __classPrivateFieldSet(this, _YargsInstance_usage, __classPrivateFieldGet(this, _YargsInstance_usage, "f") ? __classPrivateFieldGet(this, _YargsInstance_usage, "f").reset(localLookup) : usage(this, __classPrivateFieldGet(this, _YargsInstance_shim, "f")), "f");
    __classPrivateFieldSet(this, _YargsInstance_validation, __classPrivateFieldGet(this, _YargsInstance_validation, "f") ? __classPrivateFieldGet(this, _YargsInstance_validation, "f").reset(localLookup) : validation(this, __classPrivateFieldGet(this, _YargsInstance_usage, "f"), __classPrivateFieldGet(this, _YargsInstance_shim, "f")), "f");
    __classPrivateFieldSet(this, _YargsInstance_command, __classPrivateFieldGet(this, _YargsInstance_command, "f") ? __classPrivateFieldGet(this, _YargsInstance_command, "f").reset() : command(__classPrivateFieldGet(this, _YargsInstance_usage, "f"), __classPrivateFieldGet(this, _YargsInstance_validation, "f"), __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f"), __classPrivateFieldGet(this, _YargsInstance_shim, "f")), "f");
    if (!__classPrivateFieldGet(this, _YargsInstance_completion, "f"))
      __classPrivateFieldSet(this, _YargsInstance_completion, completion(this, __classPrivateFieldGet(this, _YargsInstance_usage, "f"), __classPrivateFieldGet(this, _YargsInstance_command, "f"), __classPrivateFieldGet(this, _YargsInstance_shim, "f")), "f");
    __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").reset();
    __classPrivateFieldSet(this, _YargsInstance_completionCommand, null, "f");
    __classPrivateFieldSet(this, _YargsInstance_output, "", "f");
    __classPrivateFieldSet(this, _YargsInstance_exitError, null, "f");
    __classPrivateFieldSet(this, _YargsInstance_hasOutput, false, "f");
    this.parsed = false;
    return this;
  }
  [kRebase](base, dir) {
    return __classPrivateFieldGet(this, _YargsInstance_shim, "f").path.relative(base, dir);
  }
  [kRunYargsParserAndExecuteCommands](args, shortCircuit, calledFromCommand, commandIndex = 0, helpOnly = false) {
    let skipValidation = !!calledFromCommand || helpOnly;
    args = args || __classPrivateFieldGet(this, _YargsInstance_processArgs, "f");
    __classPrivateFieldGet(this, _YargsInstance_options, "f").__ = __classPrivateFieldGet(this, _YargsInstance_shim, "f").y18n.__;
    __classPrivateFieldGet(this, _YargsInstance_options, "f").configuration = this[kGetParserConfiguration]();
    const populateDoubleDash = !!__classPrivateFieldGet(this, _YargsInstance_options, "f").configuration["populate--"];
    const config = Object.assign({}, __classPrivateFieldGet(this, _YargsInstance_options, "f").configuration, {
      "populate--": true
    });
    const parsed = __classPrivateFieldGet(this, _YargsInstance_shim, "f").Parser.detailed(args, Object.assign({}, __classPrivateFieldGet(this, _YargsInstance_options, "f"), {
      configuration: { "parse-positional-numbers": false, ...config }
    }));
    const argv = Object.assign(parsed.argv, __classPrivateFieldGet(this, _YargsInstance_parseContext, "f"));
    let argvPromise = void 0;
    const aliases = parsed.aliases;
    let helpOptSet = false;
    let versionOptSet = false;
    Object.keys(argv).forEach((key) => {
      if (key === __classPrivateFieldGet(this, _YargsInstance_helpOpt, "f") && argv[key]) {
        helpOptSet = true;
      } else if (key === __classPrivateFieldGet(this, _YargsInstance_versionOpt, "f") && argv[key]) {
        versionOptSet = true;
      }
    });
    argv.$0 = this.$0;
    this.parsed = parsed;
    if (commandIndex === 0) {
      __classPrivateFieldGet(this, _YargsInstance_usage, "f").clearCachedHelpMessage();
    }
    try {
      this[kGuessLocale]();
      if (shortCircuit) {
        return this[kPostProcess](argv, populateDoubleDash, !!calledFromCommand, false);
      }
      if (__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f")) {
        const helpCmds = [__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f")].concat(aliases[__classPrivateFieldGet(this, _YargsInstance_helpOpt, "f")] || []).filter((k) => k.length > 1);
        if (helpCmds.includes("" + argv._[argv._.length - 1])) {
          argv._.pop();
          helpOptSet = true;
        }
      }
      __classPrivateFieldSet(this, _YargsInstance_isGlobalContext, false, "f");
      const handlerKeys = __classPrivateFieldGet(this, _YargsInstance_command, "f").getCommands();
      const requestCompletions = __classPrivateFieldGet(this, _YargsInstance_completion, "f").completionKey in argv;
      const skipRecommendation = helpOptSet || requestCompletions || helpOnly;
      if (argv._.length) {
        if (handlerKeys.length) {
          let firstUnknownCommand;
          for (let i = commandIndex || 0, cmd; argv._[i] !== void 0; i++) {
            cmd = String(argv._[i]);
            if (handlerKeys.includes(cmd) && cmd !== __classPrivateFieldGet(this, _YargsInstance_completionCommand, "f")) {
              const innerArgv = __classPrivateFieldGet(this, _YargsInstance_command, "f").runCommand(cmd, this, parsed, i + 1, helpOnly, helpOptSet || versionOptSet || helpOnly);
              return this[kPostProcess](innerArgv, populateDoubleDash, !!calledFromCommand, false);
            } else if (!firstUnknownCommand && cmd !== __classPrivateFieldGet(this, _YargsInstance_completionCommand, "f")) {
              firstUnknownCommand = cmd;
              break;
            }
          }
          if (!__classPrivateFieldGet(this, _YargsInstance_command, "f").hasDefaultCommand() && __classPrivateFieldGet(this, _YargsInstance_recommendCommands, "f") && firstUnknownCommand && !skipRecommendation) {
            __classPrivateFieldGet(this, _YargsInstance_validation, "f").recommendCommands(firstUnknownCommand, handlerKeys);
          }
        }
        if (__classPrivateFieldGet(this, _YargsInstance_completionCommand, "f") && argv._.includes(__classPrivateFieldGet(this, _YargsInstance_completionCommand, "f")) && !requestCompletions) {
          if (__classPrivateFieldGet(this, _YargsInstance_exitProcess, "f"))
            setBlocking(true);
          this.showCompletionScript();
          this.exit(0);
        }
      }
      if (__classPrivateFieldGet(this, _YargsInstance_command, "f").hasDefaultCommand() && !skipRecommendation) {
        const innerArgv = __classPrivateFieldGet(this, _YargsInstance_command, "f").runCommand(null, this, parsed, 0, helpOnly, helpOptSet || versionOptSet || helpOnly);
        return this[kPostProcess](innerArgv, populateDoubleDash, !!calledFromCommand, false);
      }
      if (requestCompletions) {
        if (__classPrivateFieldGet(this, _YargsInstance_exitProcess, "f"))
          setBlocking(true);
        args = [].concat(args);
        const completionArgs = args.slice(args.indexOf(`--${__classPrivateFieldGet(this, _YargsInstance_completion, "f").completionKey}`) + 1);
        __classPrivateFieldGet(this, _YargsInstance_completion, "f").getCompletion(completionArgs, (err, completions) => {
          if (err)
            throw new YError(err.message);
          (completions || []).forEach((completion2) => {
            __classPrivateFieldGet(this, _YargsInstance_logger, "f").log(completion2);
          });
          this.exit(0);
        });
        return this[kPostProcess](argv, !populateDoubleDash, !!calledFromCommand, false);
      }
      if (!__classPrivateFieldGet(this, _YargsInstance_hasOutput, "f")) {
        if (helpOptSet) {
          if (__classPrivateFieldGet(this, _YargsInstance_exitProcess, "f"))
            setBlocking(true);
          skipValidation = true;
          this.showHelp("log");
          this.exit(0);
        } else if (versionOptSet) {
          if (__classPrivateFieldGet(this, _YargsInstance_exitProcess, "f"))
            setBlocking(true);
          skipValidation = true;
          __classPrivateFieldGet(this, _YargsInstance_usage, "f").showVersion("log");
          this.exit(0);
        }
      }
      if (!skipValidation && __classPrivateFieldGet(this, _YargsInstance_options, "f").skipValidation.length > 0) {
        skipValidation = Object.keys(argv).some((key) => __classPrivateFieldGet(this, _YargsInstance_options, "f").skipValidation.indexOf(key) >= 0 && argv[key] === true);
      }
      if (!skipValidation) {
        if (parsed.error)
          throw new YError(parsed.error.message);
        if (!requestCompletions) {
          const validation2 = this[kRunValidation](aliases, {}, parsed.error);
          if (!calledFromCommand) {
            argvPromise = applyMiddleware(argv, this, __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").getMiddleware(), true);
          }
          argvPromise = this[kValidateAsync](validation2, argvPromise !== null && argvPromise !== void 0 ? argvPromise : argv);
          if (isPromise(argvPromise) && !calledFromCommand) {
            argvPromise = argvPromise.then(() => {
              return applyMiddleware(argv, this, __classPrivateFieldGet(this, _YargsInstance_globalMiddleware, "f").getMiddleware(), false);
            });
          }
        }
      }
    } catch (err) {
      if (err instanceof YError)
        __classPrivateFieldGet(this, _YargsInstance_usage, "f").fail(err.message, err);
      else
        throw err;
    }
    return this[kPostProcess](argvPromise !== null && argvPromise !== void 0 ? argvPromise : argv, populateDoubleDash, !!calledFromCommand, true);
  }
  [kRunValidation](aliases, positionalMap, parseErrors, isDefaultCommand) {
    const demandedOptions = { ...this.getDemandedOptions() };
    return (argv) => {
      if (parseErrors)
        throw new YError(parseErrors.message);
      __classPrivateFieldGet(this, _YargsInstance_validation, "f").nonOptionCount(argv);
      __classPrivateFieldGet(this, _YargsInstance_validation, "f").requiredArguments(argv, demandedOptions);
      let failedStrictCommands = false;
      if (__classPrivateFieldGet(this, _YargsInstance_strictCommands, "f")) {
        failedStrictCommands = __classPrivateFieldGet(this, _YargsInstance_validation, "f").unknownCommands(argv);
      }
      if (__classPrivateFieldGet(this, _YargsInstance_strict, "f") && !failedStrictCommands) {
        __classPrivateFieldGet(this, _YargsInstance_validation, "f").unknownArguments(argv, aliases, positionalMap, !!isDefaultCommand);
      } else if (__classPrivateFieldGet(this, _YargsInstance_strictOptions, "f")) {
        __classPrivateFieldGet(this, _YargsInstance_validation, "f").unknownArguments(argv, aliases, {}, false, false);
      }
      __classPrivateFieldGet(this, _YargsInstance_validation, "f").limitedChoices(argv);
      __classPrivateFieldGet(this, _YargsInstance_validation, "f").implications(argv);
      __classPrivateFieldGet(this, _YargsInstance_validation, "f").conflicting(argv);
    };
  }
  [kSetHasOutput]() {
    __classPrivateFieldSet(this, _YargsInstance_hasOutput, true, "f");
  }
  [kTrackManuallySetKeys](keys) {
    if (typeof keys === "string") {
      __classPrivateFieldGet(this, _YargsInstance_options, "f").key[keys] = true;
    } else {
      for (const k of keys) {
        __classPrivateFieldGet(this, _YargsInstance_options, "f").key[k] = true;
      }
    }
  }
};
function isYargsInstance(y) {
  return !!y && typeof y.getInternalMethods === "function";
}

// node_modules/yargs/index.mjs
var Yargs = YargsFactory(esm_default);
var yargs_default = Yargs;

// dist/checks/suggest.js
init_import_meta_url();
function editDistance(a, b) {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(above + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}
function closest(input, candidates, maxDistance) {
  return candidates.map((candidate) => ({ candidate, distance: editDistance(input, candidate) })).filter(({ distance }) => distance <= maxDistance).sort((x, y) => x.distance - y.distance).map(({ candidate }) => candidate);
}
function bySimilarity(input, candidates) {
  return [...candidates].sort((x, y) => editDistance(input, x) - editDistance(input, y));
}

// dist/checks/types.js
init_import_meta_url();
var CHECK_IDS = [
  "codex.version",
  "config.provider",
  "region.set",
  "region.not-govcloud",
  "auth.token",
  "auth.identity",
  "model.id",
  "env.dotenv",
  "bedrock.responses"
];

// dist/codex/version.js
init_import_meta_url();
var VERSION = /^v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:-([0-9A-Za-z.-]{1,40}))?$/;
function parseVersion(text2) {
  const match = VERSION.exec(text2.trim());
  if (!match)
    return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? null };
}
function findVersion(text2) {
  const match = /(?<![\d.])(\d{1,6}\.\d{1,6}\.\d{1,6}(?:-[0-9A-Za-z.]{1,40})?)(?![\d])/.exec(text2);
  return match && parseVersion(match[1]) ? match[1] : null;
}
function compareVersions(a, b) {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb)
    return pa ? 1 : pb ? -1 : 0;
  const numeric = pa.major - pb.major || pa.minor - pb.minor || pa.patch - pb.patch;
  if (numeric !== 0)
    return numeric;
  if (pa.prerelease === pb.prerelease)
    return 0;
  if (pa.prerelease === null)
    return 1;
  if (pb.prerelease === null)
    return -1;
  return pa.prerelease < pb.prerelease ? -1 : 1;
}

// dist/cli/fixArgs.js
init_import_meta_url();
var import_node_util = require("node:util");

// dist/catalogue/regions.js
init_import_meta_url();
var CODEX_MANTLE_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-3",
  "eu-central-1",
  "eu-north-1",
  "eu-south-1",
  "eu-west-1",
  "eu-west-2",
  "sa-east-1"
];
var CODEX_GOVCLOUD_REGIONS = ["us-gov-east-1", "us-gov-west-1"];
var REGION_SHAPE = /^[a-z]{2,5}(-[a-z]+)+-\d{1,2}$/;
function partitionOf(region) {
  if (region.startsWith("us-gov-"))
    return "aws-us-gov";
  if (region.startsWith("cn-"))
    return "aws-cn";
  if (region.startsWith("us-isob-"))
    return "aws-iso-b";
  if (region.startsWith("us-isof-") || region.startsWith("eu-isof-"))
    return "aws-iso-f";
  if (region.startsWith("eu-isoe-"))
    return "aws-iso-e";
  if (region.startsWith("us-iso-") || region.startsWith("us-iso"))
    return "aws-iso";
  if (region.startsWith("eusc-"))
    return "aws-eusc";
  return "aws";
}
function mantleEndpoint(region) {
  return `https://bedrock-mantle.${region}.api.aws/openai/v1`;
}

// dist/cli/fixArgs.js
var FIX_HELP_TEXT = `Usage: codex-bedrock fix [options]

Applies the safe, mechanical fixes the doctor names, then runs the doctor again. Shows the plan as a diff per
file and asks once on a terminal; without a terminal it only shows the plan unless --yes is given.

Options:
  --yes                   Apply without asking
  --dry-run               Only show the plan; write nothing
  --json                  Print the plan and the outcome as JSON on stdout
  --undo                  Restore the files of the last fix run from their backups
  --region REGION         The region to set when the doctor cannot know it (one of Codex's Bedrock regions)
  --offline               Run only the checks that need no network, before and after
  --codex-home DIR        Codex home (default: $CODEX_HOME, else ~/.codex)
  -p, --profile NAME      Codex profile (as codex -p)
  -c, --config KEY=VALUE  Codex config override, repeatable (as codex -c)
  -m, --model ID          Model override (as codex -m)
  --codex-version X       Judge by the rules of Codex release X
  --timeout SECONDS       Time limit for each network step (default 10)
  -h, --help              Show this help

Every changed file keeps a backup beside it (<file>.bak-<UTC timestamp>). Nothing that needs a secret is
written: for a missing or expired credential fix prints the command that gets one.
Exit codes: 0 the doctor passes afterwards; 1 findings remain (listed); 2 usage or I/O error.
`;
var FIX_OPTIONS = {
  yes: { type: "boolean", short: "y" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  undo: { type: "boolean" },
  region: { type: "string" },
  offline: { type: "boolean" },
  "codex-home": { type: "string" },
  profile: { type: "string", short: "p" },
  config: { type: "string", short: "c", multiple: true },
  model: { type: "string", short: "m" },
  "codex-version": { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" }
};
function parseFixCommandLine(argv) {
  const wantsJson = argv.includes("--json");
  const usage2 = (message2) => ({ kind: "usage-error", message: message2, wantsJson });
  let parsed;
  try {
    parsed = (0, import_node_util.parseArgs)({ args: [...argv], options: FIX_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const option = /'(-[^']*)'/.exec(error.message)?.[1];
    return usage2(error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `unknown option ${option ?? ""} for fix` : `option ${option ?? ""} needs a value`);
  }
  const { values, positionals } = parsed;
  if (values.help)
    return { kind: "help", text: FIX_HELP_TEXT };
  if (positionals.length > 0)
    return usage2(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.undo && (values["dry-run"] || values.region !== void 0))
    return usage2("--undo restores the last backups; it takes no --dry-run or --region");
  if (values.yes && values["dry-run"])
    return usage2("--yes and --dry-run contradict each other");
  const timeoutSeconds = values.timeout === void 0 ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    return usage2(`--timeout must be a positive number of seconds (got ${JSON.stringify(values.timeout)})`);
  const codexVersion2 = values["codex-version"];
  if (codexVersion2 !== void 0 && !parseVersion(codexVersion2))
    return usage2(`--codex-version needs a release number such as 0.171.0 (got ${JSON.stringify(codexVersion2)})`);
  const region = values.region?.trim();
  if (region !== void 0 && !REGION_SHAPE.test(region))
    return usage2(`--region needs an AWS region name such as us-east-1 (got ${JSON.stringify(values.region)})`);
  return {
    kind: "fix",
    options: {
      mode: values.undo ? "undo" : values["dry-run"] ? "dry-run" : "apply",
      yes: values.yes ?? false,
      json: values.json ?? false,
      ...region !== void 0 ? { region } : {},
      offline: values.offline ?? false,
      timeoutSeconds,
      ...values["codex-home"] !== void 0 ? { codexHome: values["codex-home"] } : {},
      ...values.profile !== void 0 ? { profile: values.profile } : {},
      configOverrides: values.config ?? [],
      ...values.model !== void 0 ? { model: values.model } : {},
      ...codexVersion2 !== void 0 ? { codexVersion: codexVersion2.trim().replace(/^v/, "") } : {}
    }
  };
}

// dist/cli/options.js
init_import_meta_url();
var OUTPUT_FORMATS = ["human", "json", "junit", "github"];

// dist/cli/args.js
var EPILOGUE = `Checks: ${CHECK_IDS.join(", ")}
Exit codes: 0 no check failed; 1 a check failed (or warned, with --strict); 2 usage or internal error.
Colour: only on a terminal; NO_COLOR turns it off, FORCE_COLOR forces it.`;
var DOCTOR_OPTIONS = {
  json: { type: "boolean", describe: "Print the JSON report on stdout (same as --format json)" },
  format: { type: "string", describe: `Output format: ${OUTPUT_FORMATS.join(", ")}`, defaultDescription: "human", requiresArg: true },
  offline: { type: "boolean", describe: 'Run only the checks that need no network; network checks report "skip"' },
  "codex-home": { type: "string", describe: "Codex home (default: $CODEX_HOME, else ~/.codex)", requiresArg: true },
  cd: { type: "string", describe: "Working folder Codex starts in (default: the current one; finds .codex/config.toml)", requiresArg: true },
  profile: { alias: "p", type: "string", describe: "Codex profile: layers $CODEX_HOME/NAME.config.toml over config.toml", requiresArg: true },
  config: { alias: "c", type: "string", array: true, describe: "Codex config override KEY=VALUE, repeatable (as codex -c)", requiresArg: true },
  model: { alias: "m", type: "string", describe: "Model override (as codex -m)", requiresArg: true },
  "codex-version": { type: "string", describe: "Judge by the rules of Codex release X (default: the Codex found on this machine)", requiresArg: true },
  only: { type: "string", array: true, describe: "Run only these checks (ID[,ID...])", requiresArg: true },
  skip: { type: "string", array: true, describe: "Do not run these checks (their dependents are skipped too)", requiresArg: true },
  report: { type: "string", describe: 'Also write a redacted Markdown support report to FILE ("-": print it instead)' },
  junit: { type: "string", describe: "Also write the JUnit XML report of the same run to FILE", requiresArg: true },
  timeout: { type: "string", describe: "Time limit for each network step, in seconds", defaultDescription: "10", requiresArg: true },
  strict: { type: "boolean", describe: "Warnings also make the exit code 1" },
  "allow-govcloud": { type: "boolean", describe: "Report a GovCloud region as a warning instead of a failure" },
  verbose: { type: "boolean", describe: "Show details for passing checks and the effective setup with where each value came from" },
  color: { type: "boolean", describe: "Colour on a terminal (--no-color: none)", defaultDescription: "true" }
};
var LONG_FLAGS = [...Object.keys(DOCTOR_OPTIONS), "no-color", "help", "version"];
var COMMANDS = ["doctor", "completion"];
function nearest(typo, candidates) {
  return closest(typo, candidates, Math.max(2, Math.floor(typo.length / 3)))[0];
}
function explainUnknown(message2, argv) {
  if (/^Not enough non-option arguments/.test(message2))
    return "name a command: codex-bedrock doctor";
  const needsValue = /^Not enough arguments following: (.+)$/.exec(message2)?.[1];
  if (needsValue)
    return `option ${needsValue.length === 1 ? "-" : "--"}${needsValue} needs a value`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(message2)?.[1];
  if (!unknown)
    return message2;
  return unknown.split(", ").map((name) => {
    const flag = argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `-${name}`);
    if (flag !== void 0) {
      const shown2 = flag.replace(/=.*$/, "");
      const suggestion2 = nearest(name, LONG_FLAGS);
      return `unknown option ${shown2}${suggestion2 ? ` (did you mean --${suggestion2}?)` : ""}`;
    }
    const suggestion = nearest(name, COMMANDS);
    return `unexpected argument ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
  }).join("; ");
}
function checkIds(values, flag) {
  const ids = (values ?? []).flatMap((value) => String(value).split(",")).map((id) => id.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !CHECK_IDS.includes(id));
  if (unknown.length > 0) {
    const named = unknown.map((id) => {
      const suggestion = nearest(id, CHECK_IDS);
      return suggestion ? `${id} (did you mean ${suggestion}?)` : id;
    });
    return `${flag}: unknown check id${unknown.length > 1 ? "s" : ""} ${named.join(", ")}; valid ids: ${CHECK_IDS.join(", ")}`;
  }
  if ((values ?? []).length > 0 && ids.length === 0)
    return `${flag} needs at least one check id; valid ids: ${CHECK_IDS.join(", ")}`;
  return ids;
}
function lastValues(values) {
  const single = Object.entries(DOCTOR_OPTIONS).filter(([, option]) => !("array" in option)).map(([name]) => name);
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, single.includes(key) && Array.isArray(value) ? value.at(-1) : value]));
}
function doctorOptions(values, env3) {
  const extra = values._.slice(1);
  if (extra.length > 0)
    return `unexpected argument ${JSON.stringify(String(extra[0]))}`;
  let format3 = values.json ? "json" : "human";
  if (values.format !== void 0) {
    if (!OUTPUT_FORMATS.includes(values.format))
      return `--format must be one of ${OUTPUT_FORMATS.join(", ")} (got ${JSON.stringify(values.format)})`;
    if (values.json && values.format !== "json")
      return `--json and --format ${values.format} contradict each other`;
    format3 = values.format;
  }
  const timeoutSeconds = values.timeout === void 0 ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    return `--timeout must be a positive number of seconds (got ${JSON.stringify(values.timeout)})`;
  const only = values.only ? checkIds(values.only, "--only") : null;
  if (typeof only === "string")
    return only;
  const skip = checkIds(values.skip, "--skip");
  if (typeof skip === "string")
    return skip;
  if (values.report === "")
    return "--report needs a file name, or - for stdout";
  if (values.report === "-" && format3 !== "human")
    return `--report - prints the support report on stdout, where --format ${format3} also goes; write the report to a file instead`;
  if (values.junit === "")
    return "--junit needs a file name";
  const codexVersion2 = values["codex-version"];
  if (codexVersion2 !== void 0 && !parseVersion(codexVersion2))
    return `--codex-version needs a release number such as 0.171.0 (got ${JSON.stringify(codexVersion2)})`;
  return {
    format: format3,
    offline: values.offline ?? false,
    ...values["codex-home"] !== void 0 ? { codexHome: values["codex-home"] } : {},
    ...values.cd !== void 0 ? { cd: values.cd } : {},
    ...values.profile !== void 0 ? { profile: values.profile } : {},
    configOverrides: (values.config ?? []).map(String),
    ...values.model !== void 0 ? { model: values.model } : {},
    ...codexVersion2 !== void 0 ? { codexVersion: codexVersion2.trim().replace(/^v/, "") } : {},
    timeoutSeconds,
    strict: values.strict ?? false,
    allowGovcloud: values["allow-govcloud"] ?? false,
    verbose: values.verbose ?? false,
    // no-color.org: NO_COLOR set to anything but "" turns colour off, on a terminal too.
    color: values.color !== false && !env3["NO_COLOR"],
    only,
    skip,
    reportPath: values.report ?? null,
    ...values.junit !== void 0 ? { junitPath: values.junit } : {}
  };
}
function parseCommandLine(argv, env3 = {}, columns) {
  if (argv[0] === "fix") {
    const fix = parseFixCommandLine(argv.slice(1));
    return fix.kind === "help" ? { kind: "print", text: fix.text } : fix;
  }
  const wantsJson = argv.includes("--json") || argv.includes("--format=json") || argv.some((arg, i) => arg === "--format" && argv[i + 1] === "json");
  if (argv.length === 0)
    argv = ["--help"];
  argv = argv.flatMap((arg, i) => arg === "-" && argv[i - 1] === "--report" ? [] : arg === "--report" && argv[i + 1] === "-" ? ["--report=-"] : [arg]);
  let run2 = null;
  let failure2 = null;
  let printed = "";
  const parser2 = yargs_default([...argv]).scriptName("codex-bedrock").locale("en").exitProcess(false).parserConfiguration({ "parse-numbers": false, "parse-positional-numbers": false, "greedy-arrays": false }).usage("Usage: codex-bedrock doctor [options]\n\nTells whether OpenAI Codex will work with Amazon Bedrock on this machine, and if not, what to change.").command("doctor", "Check Codex, its config and credentials, and a live call to Amazon Bedrock", (command2) => command2.options(DOCTOR_OPTIONS).epilogue(EPILOGUE).strict()).command("fix", "Apply the safe fixes the doctor names, then check again (codex-bedrock fix --help)").completion("completion", "Print a bash or zsh completion script (source it from ~/.bashrc or ~/.zshrc)").demandCommand(1).recommendCommands().strict().help().alias("h", "help").version(TOOL_VERSION).alias("V", "version").epilogue(EPILOGUE).wrap(columns && columns > 40 ? Math.min(columns, 120) : 100).fail((message2, error) => {
    failure2 = explainUnknown(message2 ?? error?.message ?? "invalid arguments", argv);
  });
  parser2.getInternalMethods().getUsageInstance().cacheHelpMessage = () => {
  };
  let values;
  try {
    values = parser2.parse([...argv], {}, (error, _argv, output) => {
      if (output)
        printed = output;
      if (error && failure2 === null)
        failure2 = explainUnknown(error.message, argv);
    });
  } catch (error) {
    failure2 ??= error instanceof Error ? error.message : String(error);
  }
  if (failure2 !== null) {
    const recommended = /Did you mean (\S+)\?/.exec(printed)?.[1];
    return { kind: "usage-error", message: recommended && !String(failure2).includes("did you mean") ? `${failure2} (did you mean ${recommended}?)` : failure2, wantsJson };
  }
  if (printed !== "" || !values || values._[0] !== "doctor")
    return { kind: "print", text: printed.endsWith("\n") ? printed : `${printed}
` };
  run2 = doctorOptions(lastValues(values), env3);
  if (typeof run2 === "string")
    return { kind: "usage-error", message: run2, wantsJson };
  return { kind: "run", options: run2 };
}

// dist/cli/doctor.js
init_import_meta_url();
var import_node_fs5 = require("node:fs");
var import_node_os3 = require("node:os");
var import_node_path8 = require("node:path");

// dist/codex/detect.js
init_import_meta_url();
var import_node_path = require("node:path");
var pathApi = (platform) => platform === "win32" ? import_node_path.win32 : import_node_path.posix;
function codexCandidatesOnPath(platform, shellEnv) {
  const path = pathApi(platform);
  const searchedPath = (platform === "win32" ? shellEnv["Path"] ?? shellEnv["PATH"] : shellEnv["PATH"]) ?? "";
  const dirs = searchedPath.split(platform === "win32" ? ";" : ":").filter((dir) => dir.trim() !== "");
  const names = platform === "win32" ? (shellEnv["PATHEXT"] ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean).map((ext) => `codex${ext.toLowerCase()}`) : ["codex"];
  return { searchedPath, candidates: dirs.flatMap((dir) => names.map((name) => path.join(dir, name))) };
}
function readJson(readFile, file) {
  const read = readFile(file);
  if (read.status !== "ok")
    return null;
  try {
    const parsed = JSON.parse(read.text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
var validVersion = (value) => typeof value === "string" && parseVersion(value) ? value.trim() : null;
function versionFromLayout(platform, launcher, resolved, readFile) {
  const path = pathApi(platform);
  const npmPackages = [path.dirname(path.dirname(resolved))];
  if (platform === "win32")
    npmPackages.push(path.join(path.dirname(launcher), "node_modules", "@openai", "codex"));
  if (path.basename(resolved) === "codex.js" || platform === "win32") {
    for (const pkgDir of npmPackages) {
      const manifestPath = path.join(pkgDir, "package.json");
      const manifest = readJson(readFile, manifestPath);
      if (manifest?.["name"] === "@openai/codex") {
        const version = validVersion(manifest["version"]);
        return { kind: "npm", version, versionFrom: version ? manifestPath : null };
      }
    }
  }
  const nativeManifestPath = path.join(path.dirname(path.dirname(resolved)), "codex-package.json");
  const native = readJson(readFile, nativeManifestPath);
  if (native) {
    const version = validVersion(native["version"]);
    return { kind: "native", version, versionFrom: version ? nativeManifestPath : null };
  }
  const cask = /[\\/]Caskroom[\\/]codex[\\/]([^\\/]+)[\\/]/.exec(resolved);
  if (cask) {
    const version = validVersion(cask[1]);
    return { kind: "homebrew", version, versionFrom: version ? `the Homebrew cask folder ${path.dirname(resolved)}` : null };
  }
  return { kind: "native", version: null, versionFrom: null };
}
function desktopAppBinaries(probes) {
  const { platform, homeDir, shellEnv } = probes;
  if (platform === "darwin") {
    return ["/Applications/Codex.app", import_node_path.posix.join(homeDir, "Applications", "Codex.app")].map((app) => import_node_path.posix.join(app, "Contents", "Resources", "codex"));
  }
  if (platform === "win32") {
    const local = shellEnv["LOCALAPPDATA"] ?? (shellEnv["USERPROFILE"] ? import_node_path.win32.join(shellEnv["USERPROFILE"], "AppData", "Local") : null);
    return local ? [import_node_path.win32.join(local, "Programs", "Codex", "resources", "codex.exe")] : [];
  }
  return [];
}
var EDITOR_EXTENSION_DIRS = [".vscode", ".vscode-insiders", ".vscode-server", ".cursor", ".windsurf", ".vscode-oss"];
function ideExtensionBinaries(probes) {
  const path = pathApi(probes.platform);
  const binaryName = probes.platform === "win32" ? "codex.exe" : "codex";
  const home = probes.platform === "win32" ? probes.shellEnv["USERPROFILE"] ?? probes.homeDir : probes.homeDir;
  const found = [];
  for (const editor of EDITOR_EXTENSION_DIRS) {
    const extensions = path.join(home, editor, "extensions");
    const bundles = probes.listDir(extensions).filter((name) => name.startsWith("openai.chatgpt-")).sort().reverse();
    for (const bundle of bundles) {
      const bin = path.join(extensions, bundle, "bin");
      for (const target of probes.listDir(bin))
        found.push(path.join(bin, target, binaryName));
    }
  }
  return found;
}
function detectCodexInstalls(probes) {
  const { searchedPath, candidates } = codexCandidatesOnPath(probes.platform, probes.shellEnv);
  const installs = [];
  const onPath = candidates.find((candidate) => probes.isExecutableFile(candidate));
  if (onPath) {
    const resolved = probes.realpath(onPath) ?? onPath;
    installs.push({ ...versionFromLayout(probes.platform, onPath, resolved, probes.readFile), path: onPath, resolvedPath: resolved === onPath ? null : resolved, onPath: true });
  }
  const bundled = [
    ["desktop-app", desktopAppBinaries(probes)],
    ["ide-extension", ideExtensionBinaries(probes)]
  ];
  for (const [kind, paths] of bundled) {
    for (const binary of paths.filter((candidate) => probes.isExecutableFile(candidate))) {
      const resolved = probes.realpath(binary) ?? binary;
      const layout = versionFromLayout(probes.platform, binary, resolved, probes.readFile);
      installs.push({ kind, path: binary, resolvedPath: resolved === binary ? null : resolved, version: layout.version, versionFrom: layout.versionFrom, onPath: false });
    }
  }
  return { searchedPath, installs };
}

// dist/codex/diskProbes.js
init_import_meta_url();
var import_node_fs3 = require("node:fs");

// dist/io/files.js
init_import_meta_url();
var import_node_fs2 = require("node:fs");
var MAX_FILE_BYTES = 1024 * 1024;
function describeFsError(error) {
  switch (error.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied (the current user cannot read it)";
    case "EISDIR":
      return "it is a directory, not a file";
    case "ELOOP":
      return "it is a symbolic link loop";
    case "ENOTDIR":
      return "a parent of this path is a file, not a directory";
    case "ENAMETOOLONG":
      return "the path is too long";
    default:
      return `it could not be read (${error.code ?? "unknown error"})`;
  }
}
function decodeText(bytes) {
  if (bytes.includes(0))
    return { ok: false, reason: "it is a binary file (it contains NUL bytes), not text" };
  try {
    const text2 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    return { ok: true, text: text2 };
  } catch {
    return { ok: false, reason: "it is not valid UTF-8 text" };
  }
}
var readFileFromDisk = (path) => {
  let fd;
  try {
    fd = (0, import_node_fs2.openSync)(path, import_node_fs2.constants.O_RDONLY | import_node_fs2.constants.O_NONBLOCK | import_node_fs2.constants.O_NOCTTY);
  } catch (error) {
    const err = error;
    if (err.code === "ENOENT")
      return { status: "missing", path };
    return { status: "unreadable", path, reason: describeFsError(err) };
  }
  try {
    const stat = (0, import_node_fs2.fstatSync)(fd);
    if (stat.isDirectory())
      return { status: "unreadable", path, reason: "it is a directory, not a file" };
    if (!stat.isFile())
      return { status: "unreadable", path, reason: notRegularReason(stat) };
    if (stat.size > MAX_FILE_BYTES) {
      return { status: "unreadable", path, reason: `it is ${stat.size} bytes, far larger than a configuration file (limit ${MAX_FILE_BYTES})` };
    }
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read)
      read = (0, import_node_fs2.readSync)(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_FILE_BYTES)
      return { status: "unreadable", path, reason: `it is larger than a configuration file (limit ${MAX_FILE_BYTES} bytes)` };
    const decoded = decodeText(buffer.subarray(0, length));
    if (!decoded.ok)
      return { status: "unreadable", path, reason: decoded.reason };
    return { status: "ok", path, text: decoded.text, mode: stat.mode, size: length };
  } catch (error) {
    return { status: "unreadable", path, reason: describeFsError(error) };
  } finally {
    (0, import_node_fs2.closeSync)(fd);
  }
};
function notRegularReason(stat) {
  if (stat.isFIFO())
    return "it is a named pipe (FIFO), not a regular file; reading it would wait for a writer forever";
  if (stat.isCharacterDevice() || stat.isBlockDevice())
    return "it is a device, not a regular file";
  if (stat.isSocket())
    return "it is a socket, not a regular file";
  return "it is not a regular file";
}
function firstUnsafeFile(paths) {
  for (const path of paths) {
    if (!path)
      continue;
    let stat;
    try {
      stat = (0, import_node_fs2.statSync)(path);
    } catch (error) {
      const err = error;
      if (err.code === "ENOENT" || err.code === "ENOTDIR")
        continue;
      return { path, reason: describeFsError(err) };
    }
    if (stat.isDirectory())
      continue;
    if (!stat.isFile())
      return { path, reason: notRegularReason(stat) };
    if (stat.size > MAX_FILE_BYTES)
      return { path, reason: `it is ${stat.size} bytes, far larger than a configuration or token file (limit ${MAX_FILE_BYTES})` };
  }
  return null;
}
function directoryState(path) {
  try {
    return (0, import_node_fs2.statSync)(path).isDirectory() ? "directory" : "not-a-directory";
  } catch (error) {
    return error.code === "ENOENT" ? "missing" : "unreadable";
  }
}
function isExecutableFile(path) {
  try {
    if (!(0, import_node_fs2.statSync)(path).isFile())
      return false;
    (0, import_node_fs2.accessSync)(path, import_node_fs2.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// dist/codex/diskProbes.js
function diskProbes(platform, shellEnv, homeDir) {
  return {
    platform,
    shellEnv,
    homeDir,
    isExecutableFile,
    realpath: (path) => {
      try {
        return (0, import_node_fs3.realpathSync)(path);
      } catch {
        return null;
      }
    },
    readFile: readFileFromDisk,
    listDir: (path) => {
      try {
        return (0, import_node_fs3.readdirSync)(path);
      } catch {
        return [];
      }
    }
  };
}

// dist/codex/release.js
init_import_meta_url();

// dist/codex/rules.js
init_import_meta_url();
var FIRST_BEDROCK_RELEASE = "0.128.0";
var NEWEST_KNOWN_RELEASE = "0.171.0";
var bisected = (lastOld, before, firstNew, after) => `conformance bisect on real releases: ${lastOld} ${before}, ${firstNew} ${after}`;
var RULE_TABLE = {
  providerKeys: {
    behaviour: "providerKeys",
    what: "`base_url`, `auth` and `http_headers` under [model_providers.amazon-bedrock]",
    changes: [
      { from: "0.128.0", value: [], established: 'conformance: refused by 0.128.0 \u2026 0.144.6 ("only supports changing `aws.profile` and `aws.region`"), no request sent' },
      { from: "0.145.0", value: ["base_url", "auth", "http_headers"], established: bisected("0.144.6", "refuses base_url", "0.145.0", "sends to it") }
    ]
  },
  awsKeys: {
    behaviour: "awsKeys",
    what: "keys known under [model_providers.amazon-bedrock.aws] (others are ignored, never refused)",
    changes: [
      { from: "0.128.0", value: ["profile", "region"], established: "conformance: auth_refresh and credential_export are silently ignored in 0.128.0 \u2026 0.148.0 (request sent)" },
      { from: "0.149.0", value: ["profile", "region", "auth_refresh"], established: bisected("0.148.0", "does not name aws.auth_refresh in its refusal", "0.149.0", "names it") },
      { from: "0.155.0", value: ["profile", "region", "credential_export", "auth_refresh"], established: bisected("0.154.0", "does not name aws.credential_export", "0.155.0", "names and uses it") }
    ]
  },
  warnsIgnoredKeys: {
    behaviour: "warnsIgnoredKeys",
    what: "Codex warns about unknown keys under the provider table",
    changes: [
      { from: "0.128.0", value: false, established: "conformance: an unknown provider key is ignored silently by 0.128.0 \u2026 0.155.1" },
      { from: "0.156.0", value: true, established: bisected("0.155.1", "ignores it silently", "0.156.0", 'prints "Codex is ignoring 1 unrecognized configuration setting"') }
    ]
  },
  profileFlag: {
    behaviour: "profileFlag",
    what: "`-p NAME` reads `NAME.config.toml` (else the legacy `[profiles.NAME]` table)",
    changes: [
      { from: "0.128.0", value: "legacy-table", established: 'conformance: 0.128.0 \u2026 0.133.0 read [profiles.NAME] and answer a missing one (or work.config.toml alone) with "config profile `NAME` not found"' },
      { from: "0.134.0", value: "profile-file", established: bisected("0.133.0", "reads [profiles.work]", "0.134.0", "reads work.config.toml and refuses legacy profile = / [profiles.work]") }
    ]
  },
  bearerRegionFromEnv: {
    behaviour: "bearerRegionFromEnv",
    what: "a Bedrock API key takes its region from AWS_REGION / AWS_DEFAULT_REGION (else only aws.region)",
    changes: [
      { from: "0.128.0", value: false, established: 'conformance: 0.128.0 \u2026 0.135.0 fail with "bearer token auth requires `model_providers.amazon-bedrock.aws.region`"' },
      { from: "0.136.0", value: true, established: bisected("0.135.0", "ignores AWS_REGION for a bearer key", "0.136.0", "sends to the AWS_REGION / AWS_DEFAULT_REGION / .env region") }
    ]
  },
  profileBeatsBearer: {
    behaviour: "profileBeatsBearer",
    what: "`aws.profile` beats AWS_BEARER_TOKEN_BEDROCK (else the bearer key wins)",
    changes: [
      { from: "0.128.0", value: false, established: "conformance: 0.128.0 \u2026 0.149.1 send the bearer key although aws.profile is set" },
      { from: "0.150.0", value: true, established: bisected("0.149.1", "sends the bearer key", "0.150.0", "signs with the profile") }
    ]
  },
  credentialExport: {
    behaviour: "credentialExport",
    what: "`aws.credential_export` is used to sign requests (else silently ignored)",
    changes: [
      { from: "0.128.0", value: "ignored", established: "conformance: 0.128.0 \u2026 0.154.0 ignore it silently and send the bearer key" },
      { from: "0.155.0", value: "used", established: bisected("0.154.0", "ignores it", "0.155.0", "signs with the exported keys, ahead of the bearer key") }
    ]
  },
  defaultModel: {
    behaviour: "defaultModel",
    what: "the model Codex sends when `model` is not set",
    changes: [
      { from: "0.128.0", value: "openai.gpt-5.4", established: "conformance: request body of 0.128.0 \u2026 0.135.0" },
      { from: "0.136.0", value: "openai.gpt-5.5", established: bisected("0.135.0", "sends openai.gpt-5.4", "0.136.0", "sends openai.gpt-5.5") },
      { from: "0.145.0", value: "openai.gpt-5.6-sol", established: bisected("0.144.6", "sends openai.gpt-5.5", "0.145.0", "sends openai.gpt-5.6-sol") },
      { from: "0.157.0", value: "openai.gpt-6-sol", established: bisected("0.156.1", "sends openai.gpt-5.6-sol", "0.157.0", "sends openai.gpt-6-sol") },
      { from: "0.159.1", value: "openai.gpt-6.1-sol", established: bisected("0.159.0", "sends openai.gpt-6-sol", "0.159.1", "sends openai.gpt-6.1-sol") },
      { from: "0.171.0", value: "openai.gpt-6.2-sol", established: "conformance: 0.169.0 sends openai.gpt-6.1-sol, 0.171.0 openai.gpt-6.2-sol (there is no 0.170 on npm)" }
    ]
  },
  catalogue: {
    behaviour: "catalogue",
    what: "the release's Bedrock model catalogue (`codex debug models`)",
    changes: [
      { from: "0.128.0", value: ["openai.gpt-5.4", "openai.gpt-oss-120b", "openai.gpt-oss-20b"], established: "conformance: `codex debug models` of 0.128.0 \u2026 0.135.0" },
      { from: "0.136.0", value: ["openai.gpt-5.5", "openai.gpt-5.4"], established: "conformance: `codex debug models` of 0.136.0 \u2026 0.142.2" },
      { from: "0.142.3", value: ["openai.gpt-5.5", "openai.gpt-5.4", "openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna"], established: "conformance: `codex debug models` of 0.142.3 \u2026 0.144.6" },
      { from: "0.145.0", value: ["openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5", "openai.gpt-5.4"], established: "conformance: `codex debug models` of 0.145.0 \u2026 0.153.2" },
      { from: "0.153.3", value: ["openai.gpt-5.6-sol", "openai.gpt-6-astra", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5", "openai.gpt-5.4"], established: "conformance: `codex debug models` of 0.153.3 \u2026 0.156.1" },
      { from: "0.157.0", value: ["openai.gpt-6-sol", "openai.gpt-6-astra", "openai.gpt-6-luna", "openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5", "openai.gpt-5.4"], established: "conformance: `codex debug models` of 0.157.0 \u2026 0.157.1" },
      { from: "0.158.0", value: ["openai.gpt-6-sol", "openai.gpt-6-astra", "openai.gpt-6-luna", "openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5"], established: "conformance: `codex debug models` of 0.158.0 \u2026 0.159.0 (openai.gpt-5.4 dropped)" },
      { from: "0.159.1", value: ["openai.gpt-6.1-sol", "openai.gpt-6-astra", "openai.gpt-6-sol", "openai.gpt-6-luna", "openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5"], established: "conformance: `codex debug models` of 0.159.1 \u2026 0.164.0" },
      { from: "0.165.0", value: ["openai.gpt-6.1-sol", "openai.gpt-6-astra", "openai.gpt-6.1-terra", "openai.gpt-6-sol", "openai.gpt-6-luna", "openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5"], established: bisected("0.164.0", "does not list openai.gpt-6.1-terra", "0.165.0", "lists it (through 0.169.0)") },
      { from: "0.171.0", value: ["openai.gpt-6.2-sol", "openai.gpt-6.2-astra", "openai.gpt-6.1-terra", "openai.gpt-6.1-sol", "openai.gpt-6-astra", "openai.gpt-6-sol", "openai.gpt-6-luna", "openai.gpt-5.6-sol", "openai.gpt-5.6-terra", "openai.gpt-5.6-luna", "openai.gpt-5.5"], established: "conformance: `codex debug models` of 0.171.0" }
    ]
  },
  govcloud: {
    behaviour: "govcloud",
    what: "GovCloud regions the release sends to Mantle (others it refuses before sending)",
    changes: [
      { from: "0.128.0", value: [], established: "conformance: 0.128.0 \u2026 0.133.0 refuse us-gov-west-1 and us-gov-east-1 before sending" },
      { from: "0.134.0", value: ["us-gov-west-1"], established: "conformance scan of every release: 0.134.0 alone sends us-gov-west-1 (and refuses us-gov-east-1)" },
      { from: "0.135.0", value: [], established: "conformance scan: 0.135.0 \u2026 0.160.1 refuse both again" },
      { from: "0.161.0", value: ["us-gov-east-1", "us-gov-west-1"], established: bisected("0.160.1", "refuses us-gov-west-1", "0.161.0", "sends to bedrock-mantle.us-gov-west-1.api.aws (and us-gov-east-1)") }
    ]
  },
  regionAllowList: {
    behaviour: "regionAllowList",
    what: "regions the provider accepts without a base_url override",
    changes: [{ from: "0.128.0", value: CODEX_MANTLE_REGIONS, established: "conformance: the same 12 regions sent, and us-west-1, ca-central-1, ap-southeast-1 refused, by 0.128.0 and 0.171.0" }]
  },
  regionRefusal: {
    behaviour: "regionRefusal",
    what: "the words of Codex's refusal of a region",
    changes: [
      { from: "0.128.0", value: "Amazon Bedrock Mantle does not support region", established: "conformance: 0.128.0 \u2026 0.149.1" },
      { from: "0.150.0", value: "Amazon Bedrock does not support region", established: bisected("0.149.1", 'says "Amazon Bedrock Mantle does not support region"', "0.150.0", 'says "Amazon Bedrock does not support region"') }
    ]
  },
  retries404: {
    behaviour: "retries404",
    what: "a 404 from Mantle is retried",
    changes: [{ from: "0.128.0", value: true, established: `conformance: 6 POSTs (1 + 5 retries) for an unknown model in 0.128.0 and 0.171.0; SPEC 3.9's "not retried from 0.164\u20130.166" was not seen` }]
  },
  retries429: {
    behaviour: "retries429",
    what: "a 429 from Mantle is retried",
    changes: [
      { from: "0.128.0", value: false, established: "conformance: 1 POST for a 429 in 0.128.0 \u2026 0.160.1" },
      { from: "0.161.0", value: true, established: bisected("0.160.1", "sends 1 POST", "0.161.0", "sends 6 POSTs") }
    ]
  },
  storedApiKey: {
    behaviour: "storedApiKey",
    what: 'a Bedrock API key stored in auth.json (`auth_mode = "bedrockApiKey"`) is used (else Codex refuses to start on it)',
    changes: [
      { from: "0.128.0", value: "unknown", established: 'conformance: 0.128.0 \u2026 0.139.0 exit with "unknown variant `bedrockApiKey`" before sending' },
      { from: "0.140.0", value: "used", established: bisected("0.139.0", "refuses to start", "0.140.0", "sends the stored key ahead of AWS_BEARER_TOKEN_BEDROCK") }
    ]
  },
  storedAccessKeys: {
    behaviour: "storedAccessKeys",
    what: 'AWS access keys stored in auth.json (`auth_mode = "bedrockAccessKeys"`): where they rank',
    changes: [
      { from: "0.128.0", value: "unknown", established: 'conformance: 0.128.0 \u2026 0.146.1 exit with "unknown variant `bedrockAccessKeys`" before sending' },
      { from: "0.147.0", value: "after-bearer-key", established: bisected("0.146.1", "refuses to start", "0.147.0", "parses them but sends AWS_BEARER_TOKEN_BEDROCK when it is set") },
      { from: "0.150.0", value: "before-bearer-key", established: bisected("0.149.1", "sends the bearer key", "0.150.0", "signs with the stored keys") }
    ]
  }
};
var BEHAVIOUR_NAMES = Object.keys(RULE_TABLE);
function changeFor(row, version) {
  let found = row.changes[0];
  for (const change of row.changes)
    if (compareVersions(change.from, version) <= 0)
      found = change;
  return found;
}
function nextChange(row, from) {
  return row.changes.find((change) => compareVersions(change.from, from) > 0)?.from ?? null;
}
function rulesFor(version) {
  const release2 = compareVersions(version, FIRST_BEDROCK_RELEASE) < 0 ? FIRST_BEDROCK_RELEASE : compareVersions(version, NEWEST_KNOWN_RELEASE) > 0 ? NEWEST_KNOWN_RELEASE : version;
  const behaviour = {};
  const applied = [];
  for (const name of BEHAVIOUR_NAMES) {
    const row = RULE_TABLE[name];
    const change = changeFor(row, release2);
    behaviour[name] = change.value;
    const until = nextChange(row, change.from);
    applied.push({ behaviour: name, what: row.what, range: until ? `${change.from} \u2013 before ${until}` : `${change.from} and later`, established: change.established });
  }
  return { release: release2, behaviour, applied };
}

// dist/codex/release.js
function decidingInstall(detection) {
  return detection.installs.find((install) => install.onPath) ?? detection.installs[0] ?? null;
}
function rulesVersion(version, basis) {
  return version && basis !== "version-unknown" && basis !== "older-than-supported" ? version : NEWEST_KNOWN_RELEASE;
}
function basisFor(version) {
  if (compareVersions(version, FIRST_BEDROCK_RELEASE) < 0)
    return "older-than-supported";
  if (compareVersions(version, NEWEST_KNOWN_RELEASE) > 0)
    return "newer-than-known";
  return "detected";
}
function releaseOf(detection, version, versionFrom, versionProblem, basis) {
  return { detection, install: decidingInstall(detection), version, versionFrom, versionProblem, basis, rules: rulesFor(rulesVersion(version, basis)) };
}
function namedRelease(version, detection = { searchedPath: "", installs: [] }) {
  const basis = basisFor(version);
  return releaseOf(detection, version, "--codex-version", null, basis === "detected" ? "flag" : basis);
}
async function chooseCodexRelease(detection, flagVersion, probeVersion) {
  const install = decidingInstall(detection);
  const release2 = (version2, versionFrom, versionProblem, basis) => releaseOf(detection, version2, versionFrom, versionProblem, basis);
  if (flagVersion !== void 0)
    return namedRelease(flagVersion, detection);
  if (!install)
    return release2(null, null, null, "not-found");
  if (install.version)
    return release2(install.version, install.versionFrom, null, basisFor(install.version));
  const answer = await probeVersion(install.path);
  if (!answer.ok)
    return release2(null, null, `\`${install.path} --version\` failed: ${answer.reason}`, "version-unknown");
  const version = findVersion(answer.output);
  if (!version)
    return release2(null, null, `\`${install.path} --version\` printed no version (${JSON.stringify(answer.output.slice(0, 80))})`, "version-unknown");
  return release2(version, `\`${install.path} --version\``, null, basisFor(version));
}

// dist/net/codexCli.js
init_import_meta_url();
async function readCodexVersion(path, timeoutMs) {
  const { spawn } = await __codexBedrockImport("node:child_process");
  return new Promise((resolve9) => {
    const child = spawn(path, ["--version"], { detached: true, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    child.stdout.on("data", (chunk) => stdout = (stdout + chunk.toString()).slice(0, 64 * 1024));
    child.stderr.on("data", (chunk) => stderr = (stderr + chunk.toString()).slice(0, 64 * 1024));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve9({ ok: false, reason: `it could not be started (${error.code ?? error.message})` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut)
        return resolve9({ ok: false, reason: `it did not answer within ${Math.round(timeoutMs / 1e3)} s` });
      if (code === 0)
        return resolve9({ ok: true, output: stdout.trim() });
      const detail = stderr.trim().split("\n")[0];
      resolve9({ ok: false, reason: `it exited with ${code === null ? "a signal" : `status ${code}`}${detail ? `: ${detail}` : ""}` });
    });
  });
}

// dist/checks/index.js
init_import_meta_url();

// dist/checks/authIdentity.js
init_import_meta_url();

// dist/net/sts.js
init_import_meta_url();

// dist/format.js
init_import_meta_url();
var formatTime = (d) => d.toISOString().replace(".000Z", "Z");
function formatDuration(ms) {
  let s = Math.round(Math.abs(ms) / 1e3);
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]]) {
    if (s >= size && parts.length < 2) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    } else if (parts.length > 0)
      break;
  }
  return parts.length ? parts.join(" ") : "0 s";
}
var accessKeyHint = (akid) => akid.length >= 8 ? `${akid.slice(0, 4)}\u2026${akid.slice(-4)}` : `${akid.slice(0, 4)}\u2026`;

// dist/net/proxy.js
init_import_meta_url();
function firstSet(env3, ...names) {
  return firstSetting(env3, ...names)?.value;
}
function firstSetting(env3, ...names) {
  for (const name of names) {
    const value = env3.get(name)?.trim();
    if (value)
      return { name, value };
  }
  return void 0;
}
function isIP(text2) {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(text2))
    return 4;
  const groups = text2.split("::");
  if (groups.length > 2 || !/^[0-9a-f:]+$/i.test(text2))
    return 0;
  const parts = groups.flatMap((group) => group === "" ? [] : group.split(":"));
  const valid = parts.every((part) => /^[0-9a-f]{1,4}$/i.test(part));
  return valid && (groups.length === 2 ? parts.length < 8 : parts.length === 8) ? 6 : 0;
}
function ipv4ToNumber(address) {
  return address.split(".").reduce((total, part) => total * 256 + Number(part), 0);
}
function ipv6ToBigInt(address) {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, void 0];
  const left2 = head ? head.split(":") : [];
  const right2 = tail ? tail.split(":") : [];
  const groups = tail === void 0 ? left2 : [...left2, ...Array(8 - left2.length - right2.length).fill("0"), ...right2];
  return groups.reduce((total, group) => (total << 16n) + BigInt(parseInt(group || "0", 16)), 0n);
}
function inCidr(host, network, bits) {
  const family = isIP(host);
  if (family !== isIP(network))
    return false;
  if (family === 4) {
    if (bits === 0)
      return true;
    const mask = ~0 << 32 - bits >>> 0;
    return (ipv4ToNumber(host) & mask) >>> 0 === (ipv4ToNumber(network) & mask) >>> 0;
  }
  const shift = BigInt(128 - bits);
  return ipv6ToBigInt(host) >> shift === ipv6ToBigInt(network) >> shift;
}
function bypassesProxy(hostname, noProxy) {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return noProxy.split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean).some((entry) => {
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]) && Number(cidr[2]) <= (isIP(cidr[1]) === 4 ? 32 : 128))
      return inCidr(host, cidr[1], Number(cidr[2]));
    if (isIP(entry))
      return isIP(host) > 0 && entry === host;
    if (entry === host || entry.replace(/^\./, "") === host)
      return true;
    return entry.startsWith(".") ? host.endsWith(entry) : host.endsWith(`.${entry}`);
  });
}
function proxySetting(url, env3) {
  const all = firstSetting(env3, "ALL_PROXY", "all_proxy");
  const cgi = env3.get("REQUEST_METHOD") !== void 0;
  const proxy = url.protocol === "https:" ? firstSetting(env3, "HTTPS_PROXY", "https_proxy") ?? all : (cgi ? firstSetting(env3, "http_proxy") : firstSetting(env3, "HTTP_PROXY", "http_proxy")) ?? all;
  if (!proxy)
    return null;
  const noProxy = firstSet(env3, "NO_PROXY", "no_proxy");
  if (noProxy && bypassesProxy(url.hostname, noProxy))
    return null;
  return { name: proxy.name, value: proxy.value.includes("://") ? proxy.value : `http://${proxy.value}` };
}
async function proxyAgentFor(url, env3) {
  const setting = proxySetting(url, env3);
  if (!setting)
    return { agent: void 0, proxy: null };
  const proxy = setting.value;
  let parsed = null;
  try {
    parsed = new URL(proxy);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hostname === "") {
    const why = parsed ? `its scheme is ${parsed.protocol.slice(0, -1)}, not http or https` : "it is not a valid URL";
    return { agent: void 0, proxy: null, problem: `${setting.name} cannot be used as a proxy (${why})` };
  }
  if (url.protocol === "https:") {
    const { HttpsProxyAgent } = await __codexBedrockImport("https-proxy-agent");
    return { agent: new HttpsProxyAgent(proxy), proxy };
  }
  const { HttpProxyAgent } = await __codexBedrockImport("http-proxy-agent");
  return { agent: new HttpProxyAgent(proxy), proxy };
}
function displayProxy(proxy) {
  try {
    const url = new URL(proxy);
    url.username = "";
    url.password = "";
    return url.href.replace(/\/$/, "");
  } catch {
    return "the configured proxy";
  }
}
var MAX_CA_BYTES = 4 * 1024 * 1024;
async function extraTrustedCertificates(env3) {
  const files = ["SSL_CERT_FILE", "CODEX_CA_CERTIFICATE"].map((name) => env3.get(name)?.trim()).filter((path) => Boolean(path));
  if (files.length === 0)
    return null;
  const [{ readFileSync: readFileSync7, statSync: statSync6 }, { rootCertificates }] = await Promise.all([__codexBedrockImport("node:fs"), __codexBedrockImport("node:tls")]);
  const read = (path) => {
    try {
      if (!statSync6(path).isFile() || statSync6(path).size > MAX_CA_BYTES)
        return [];
      return readFileSync7(path, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    } catch {
      return [];
    }
  };
  const extra = files.flatMap(read);
  if (extra.length === 0)
    return null;
  const nodeExtra = process.env["NODE_EXTRA_CA_CERTS"] ? read(process.env["NODE_EXTRA_CA_CERTS"]) : [];
  return [...rootCertificates, ...nodeExtra, ...extra];
}

// dist/net/networkErrors.js
init_import_meta_url();
function unusableUrl(text2) {
  let url;
  try {
    url = new URL(text2);
  } catch {
    return "it is not a valid URL";
  }
  return url.protocol === "http:" || url.protocol === "https:" ? null : `its scheme is ${url.protocol.slice(0, -1)}, not http or https`;
}
var TLS_CODES = /^(CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;
function errorCode(error) {
  let current = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = current.code;
    if (typeof code === "string")
      return code;
    current = current.cause;
  }
  const message2 = error instanceof Error ? error.message : String(error);
  return /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID)\b/.exec(message2)?.[1] ?? null;
}
function message(error) {
  return error instanceof Error ? error.message : String(error);
}
function classifyNetworkError(error) {
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError" || code === "ETIMEDOUT" || code === "ABORT_ERR")
    return { kind: "timeout", code };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return { kind: "dns", code };
  if (code === "ECONNREFUSED")
    return { kind: "refused", code };
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET")
    return { kind: "reset", code };
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "EPROTO" && /wrong version number|packet length too long/i.test(message(error)))
    return { kind: "not-tls", code };
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH")
    return { kind: "tls-hostname", code };
  if (code && TLS_CODES.test(code))
    return { kind: "tls", code };
  return { kind: "other", code };
}
function explainNetworkFailure(failure2, what, host, timeoutSeconds) {
  switch (failure2.kind) {
    case "timeout":
      if (failure2.answeredBy === "proxy") {
        return {
          summary: `The proxy did not answer the CONNECT request for ${host} within ${timeoutSeconds} s (${what} was never reached)`,
          fix: `Check HTTPS_PROXY (is the proxy up, and does it allow CONNECT to ${host}?) and NO_PROXY.`
        };
      }
      return {
        summary: `${what} did not answer within ${timeoutSeconds} s (${host})`,
        fix: `Check the network path to ${host} (VPN, firewall, proxy: HTTPS_PROXY/NO_PROXY), or raise --timeout if the link is slow.`
      };
    case "dns":
      return {
        summary: `The host name ${host} does not resolve (${failure2.code})`,
        fix: `Check DNS and network access; if you are offline, run with --offline.`
      };
    case "refused":
      return {
        summary: `The connection to ${host} was refused (${failure2.code})`,
        fix: `Nothing is listening there: check the endpoint (an overridden base_url or AWS_ENDPOINT_URL*) and any proxy settings.`
      };
    case "tls":
      return {
        summary: `TLS failed talking to ${host} (${failure2.code}): the certificate chain is not trusted`,
        fix: `A corporate proxy or TLS inspection is likely: export NODE_EXTRA_CA_CERTS=/path/to/corporate-ca.pem for this tool (Codex needs the same CA in the system trust store or SSL_CERT_FILE).`
      };
    case "tls-hostname":
      return {
        summary: `TLS failed talking to ${host} (${failure2.code}): the certificate presented is not for that host name`,
        fix: `Check the host in base_url / AWS_ENDPOINT_URL*; a TLS-intercepting proxy that signs for the wrong name needs fixing on the proxy side.`
      };
    case "not-tls":
      return {
        summary: `${host} does not speak TLS (${failure2.code}): the URL says https:// but the port answers plain HTTP`,
        fix: `Use http:// for that port, or the port where ${host} serves HTTPS (check base_url / AWS_ENDPOINT_URL*).`
      };
    case "slow-body":
      return {
        summary: `${what} (${host}) started answering but the answer did not finish within ${timeoutSeconds} s`,
        fix: `Something on the path is stalling the response (a proxy or TLS inspection); check HTTPS_PROXY/NO_PROXY, or raise --timeout if the link is slow.`
      };
    case "too-large":
      return {
        summary: `${host} answered (${failure2.code}) with a body larger than any ${what} answer (the doctor stopped reading it)`,
        fix: `Something other than ${what} answered: check the endpoint (base_url / AWS_ENDPOINT_URL*) and any proxy on the way.`
      };
    case "proxy-auth":
      return {
        summary: `The proxy refused the request for ${host} (HTTP 407 Proxy Authentication Required): ${what} was never reached`,
        fix: `Put the proxy's user name and password in the proxy URL (HTTPS_PROXY=http://USER:PASSWORD@proxy:port), or ask for this host to be allowed without authentication.`
      };
    case "bad-setting":
      return {
        summary: `${failure2.detail ?? "a URL setting is unusable"}: ${what} cannot be reached through it`,
        fix: "Fix that setting to a full http:// or https:// URL (or remove it)."
      };
    case "reset":
      return {
        summary: `The connection to ${host} was reset (${failure2.code})`,
        fix: `A proxy or firewall may be cutting the connection; check HTTPS_PROXY/NO_PROXY and try again.`
      };
    default:
      return { summary: `The request to ${host} failed${failure2.code ? ` (${failure2.code})` : ""}`, fix: "Check network access and try again." };
  }
}

// dist/net/sts.js
function stsEndpoint(env3, region) {
  for (const setting of ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]) {
    const override = env3.get(setting)?.trim();
    if (override)
      return { url: override, overridden: true, setting };
  }
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return { url: `https://sts.${region}.${suffix}`, overridden: false };
}
function explainStsError(error, credentials, endpoint, timeoutMs, known) {
  const name = error instanceof Error ? error.name : "Error";
  const message2 = error instanceof Error ? error.message : String(error);
  const key = accessKeyHint(credentials.accessKeyId);
  const result = (summary, fix) => ({ ok: false, errorName: name, summary, fix, endpoint });
  switch (name) {
    case "ExpiredToken":
    case "ExpiredTokenException":
      return result(`STS says the session token of ${key} has expired (ExpiredToken)`, credentials.source === "sso" ? `Run: aws sso login${credentials.profile ? ` --profile ${credentials.profile}` : ""}` : "Get fresh temporary credentials (re-run the command that exported them, aws sso login, or aws login).");
    case "InvalidClientTokenId":
      return result(`STS does not recognise access key ${key} (InvalidClientTokenId): it was deleted or deactivated, belongs to another partition, or its session token is missing or wrong`, "Check the key in the IAM console (aws iam list-access-keys), create a new one if it was deleted, and make sure AWS_SESSION_TOKEN goes with ASIA\u2026 keys.");
    case "SignatureDoesNotMatch":
      return /expired|skew|time/i.test(message2) ? result(`STS rejected the signature because of the clock: ${message2.split("\n")[0]}`, "Sync this machine\u2019s clock (e.g. timedatectl set-ntp true); SigV4 rejects requests more than 5 minutes off.") : result(`STS says the signature does not match (SignatureDoesNotMatch): the secret access key for ${key} is wrong, or this machine's clock is off`, "Re-enter the secret access key that belongs to this access key id (aws configure), and check the clock.");
    case "AccessDenied":
    case "AccessDeniedException":
      return result(`STS denied GetCallerIdentity for ${key} (AccessDenied); that call needs no IAM permission, so an explicit deny (SCP, permission boundary, VPC endpoint policy) is in the way`, "Ask your AWS administrator which policy denies sts:GetCallerIdentity; the same policy may block bedrock-mantle calls.");
    default: {
      const network = known ?? classifyNetworkError(error);
      if (network.kind !== "other") {
        const host = (() => {
          try {
            return new URL(endpoint).host;
          } catch {
            return endpoint;
          }
        })();
        const { summary, fix } = explainNetworkFailure(network, "AWS STS", host, Math.round(timeoutMs / 1e3));
        return result(summary, fix);
      }
      return result(`STS GetCallerIdentity failed: ${name}: ${message2.split("\n")[0]}`, "Check the credentials and network access to STS.");
    }
  }
}
var MAX_STS_BODY_BYTES = 256 * 1024;
var PREVIEW_BYTES = 300;
function cappedBodyPlugin(seen = { status: null, contentType: null, preview: "", tooLarge: false }, maxBytes = MAX_STS_BODY_BYTES) {
  return {
    seen,
    applyToStack(stack) {
      stack.add((next) => async (args) => {
        const result = await next(args);
        const response = result.response;
        seen.status = response.statusCode ?? null;
        seen.contentType = response.headers?.["content-type"] ?? null;
        const body2 = response.body;
        if (body2 && typeof body2.on === "function") {
          const { PassThrough } = await __codexBedrockImport("node:stream");
          const capped = new PassThrough();
          let received = 0;
          body2.on("data", (chunk) => {
            received += chunk.length;
            if (seen.preview.length < PREVIEW_BYTES)
              seen.preview += chunk.toString("utf8", 0, PREVIEW_BYTES - seen.preview.length);
            if (received > maxBytes) {
              seen.tooLarge = true;
              body2.destroy?.();
              capped.destroy(Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { name: "BodyTooLarge" }));
            } else
              capped.write(chunk);
          });
          body2.on("end", () => capped.end());
          body2.on("error", (error) => capped.destroy(error));
          response.body = capped;
        }
        return result;
      }, { step: "deserialize", priority: "low", name: "codexBedrockCappedBody" });
    }
  };
}
function looksLikeIdentity(answer) {
  return /^\d{12}$/.test(answer.Account ?? "") && /^arn:aws[\w-]*:/.test(answer.Arn ?? "");
}
function notSts(seen, endpoint, credentials, timeoutMs) {
  if (seen.tooLarge)
    return explainStsError(Object.assign(new Error("too large"), { code: "too-large" }), credentials, endpoint, timeoutMs, { kind: "too-large", code: `HTTP ${seen.status}`, answeredBy: "server" });
  if (seen.status === 407)
    return explainStsError(new Error("proxy"), credentials, endpoint, timeoutMs, { kind: "proxy-auth", code: "HTTP 407", answeredBy: "proxy" });
  if (seen.status === null || /xml/i.test(seen.contentType ?? ""))
    return null;
  const preview = seen.preview.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 120);
  return {
    ok: false,
    errorName: "NotSts",
    summary: `${endpoint} answered HTTP ${seen.status} (${seen.contentType ?? "no content type"}), not with an STS XML document${preview ? `: "${preview}"` : ""}; something other than AWS STS answered (a proxy, captive portal or a wrong endpoint)`,
    fix: "Check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and HTTPS_PROXY/NO_PROXY; STS lives at https://sts.REGION.amazonaws.com.",
    endpoint
  };
}
async function getCallerIdentity(credentials, options) {
  const badUrl = unusableUrl(options.endpoint.url);
  const settingProblem = (detail) => {
    const { summary, fix } = explainNetworkFailure({ kind: "bad-setting", code: null, detail }, "AWS STS", "", 0);
    return { ok: false, errorName: "BadSetting", summary, fix, endpoint: options.endpoint.url };
  };
  if (badUrl)
    return settingProblem(`${options.endpoint.setting ?? "The STS endpoint"} = ${JSON.stringify(options.endpoint.url)} cannot be used (${badUrl})`);
  const { agent, problem } = await proxyAgentFor(new URL(options.endpoint.url), options.env);
  if (problem)
    return settingProblem(problem);
  const { STSClient, GetCallerIdentityCommand } = await __codexBedrockImport("@aws-sdk/client-sts");
  const client2 = new STSClient({
    ...agent ? { requestHandler: { httpAgent: agent, httpsAgent: agent } } : {},
    region: options.region,
    maxAttempts: 1,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}
    },
    ...options.endpoint.overridden ? { endpoint: options.endpoint.url } : {}
  });
  const plugin = cappedBodyPlugin();
  client2.middlewareStack.use(plugin);
  const started = performance.now();
  const abort = new AbortController();
  let timer;
  const timedOut = new Promise((resolve9) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve9("timeout");
    }, options.timeoutMs);
  });
  try {
    const answer = await Promise.race([client2.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal }), timedOut]);
    if (answer === "timeout") {
      const kind = plugin.seen.status !== null ? "slow-body" : "timeout";
      return explainStsError(new Error("timeout"), credentials, options.endpoint.url, options.timeoutMs, { kind, code: null });
    }
    if (!looksLikeIdentity(answer)) {
      return notSts(plugin.seen, options.endpoint.url, credentials, options.timeoutMs) ?? {
        ok: false,
        errorName: "NotSts",
        summary: `${options.endpoint.url} answered HTTP ${plugin.seen.status ?? "?"} without an account id and ARN: that is not an STS GetCallerIdentity answer`,
        fix: "Check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and HTTPS_PROXY/NO_PROXY; STS lives at https://sts.REGION.amazonaws.com.",
        endpoint: options.endpoint.url
      };
    }
    return {
      ok: true,
      account: answer.Account ?? "",
      arn: answer.Arn ?? "",
      userId: answer.UserId ?? "",
      endpoint: options.endpoint.url,
      latencyMs: Math.round(performance.now() - started)
    };
  } catch (error) {
    return notSts(plugin.seen, options.endpoint.url, credentials, options.timeoutMs) ?? explainStsError(error, credentials, options.endpoint.url, options.timeoutMs);
  } finally {
    clearTimeout(timer);
    client2.destroy();
  }
}

// dist/checks/authIdentity.js
var DOCS = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html";
var authIdentity = {
  id: "auth.identity",
  title: "AWS identity (STS GetCallerIdentity)",
  requires: ["auth.token"],
  network: true,
  async run({ setup, services, earlier }) {
    if (setup.auth.mode !== "iam") {
      const account = earlier.get("auth.token")?.facts["accountId"];
      const reason = setup.auth.mode === "bearer" ? `Codex authenticates with a Bedrock API key, not IAM credentials${typeof account === "string" ? `; the long-term key belongs to account ${account}` : ""}` : "Codex authenticates with the configured auth command, not IAM credentials";
      return { status: "skip", code: "identity.not-iam", summary: `Skipped: ${reason}`, skipReason: reason, ...typeof account === "string" ? { facts: { account } } : {} };
    }
    const region = setup.region.effective?.value;
    if (typeof region === "string" && !REGION_SHAPE.test(region) && !stsEndpoint(setup.env, region).overridden) {
      const reason = `needs a well-formed region for the regional STS endpoint (${JSON.stringify(region)} is not; see region.set)`;
      return { status: "skip", code: "identity.malformed-region", summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const resolution = await services.iamCredentials();
    if (!resolution.ok) {
      const reason = "no IAM credentials to ask about (see auth.token)";
      return { status: "skip", code: "identity.no-credentials", summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const identity = await services.callerIdentity(resolution.credentials);
    if (!identity.ok) {
      return { status: "fail", code: "identity.sts-error", summary: identity.summary, details: [`STS endpoint: ${identity.endpoint}`, ...identity.errorName !== "Error" ? [`error: ${identity.errorName}`] : []], remediation: identity.fix, docs: DOCS };
    }
    return {
      status: "pass",
      code: "identity.ok",
      summary: `Account ${identity.account}, ${identity.arn}`,
      details: [`STS endpoint: ${identity.endpoint}`, `user id: ${identity.userId}`, `latency: ${identity.latencyMs} ms`],
      facts: { account: identity.account, arn: identity.arn, userId: identity.userId, latencyMs: identity.latencyMs }
    };
  }
};

// dist/checks/authToken.js
init_import_meta_url();

// dist/auth/bedrockKey.js
init_import_meta_url();
var SHORT_PREFIX = "bedrock-api-key-";
var LONG_PREFIX = "ABSK";
var MAX_LIFETIME_S = 43200;
var NEAR_EXPIRY_MS = 15 * 60 * 1e3;
var WS = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
var TRIM_RE = new RegExp(`^${WS}+|${WS}+$`, "g");
var codexTrim = (value) => value.replace(TRIM_RE, "");
var INNER_BAD_RE = new RegExp(`${WS}|[\\u0000-\\u001f\\u007f\\ufeff]`);
var PLACEHOLDERS = [
  /^<.*>$/,
  // <your-bedrock-api-key>
  /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/,
  // an unexpanded $VAR / ${VAR}
  /your[-_ ]?(aws[-_ ]?)?(bedrock[-_ ]?)?(api[-_ ]?)?(key|token)/i,
  /^[xX*]{3,}$/,
  // xxxx, ****
  /\.\.\.|…/,
  // base64 and presigned URLs never contain '...', so an ellipsis means an elided example
  /^(changeme|change[-_]me|replace[-_ ]?me|placeholder|todo|dummy|example|null|undefined|none|token|key)$/i
];
var fmtTime = formatTime;
var hint = accessKeyHint;
function decodeBase64(b64) {
  if (b64.length === 0)
    return { reason: "nothing follows the prefix" };
  if (/[-_]/.test(b64))
    return { reason: "it uses the URL-safe base64 alphabet ('-' or '_') instead of the standard one" };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    return { reason: "it contains characters that are not base64" };
  const bare = b64.replace(/=+$/, "");
  if (bare.length % 4 === 1 || b64.length !== bare.length && b64.length % 4 !== 0) {
    return { reason: "its base64 length is impossible (truncated or over-padded; was it copied only partly?)" };
  }
  try {
    const text2 = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(bare, "base64"));
    if (/[\u0000-\u001f\u007f]/.test(text2))
      return { reason: "its base64 decodes to binary data, not text" };
    return { text: text2 };
  } catch {
    return { reason: "its base64 decodes to bytes that are not UTF-8 text" };
  }
}
function analyseShortTerm(body2, now, region, out) {
  const mintFix = "Mint a new short-term key (Bedrock console, or `getToken` from @aws/bedrock-token-generator) and set AWS_BEARER_TOKEN_BEDROCK to it.";
  const bad = (code, why) => {
    out.push({ severity: "fail", code, message: `AWS_BEARER_TOKEN_BEDROCK looks like a short-term Bedrock API key, but ${why}; Bedrock will reject it.`, fix: mintFix });
    return void 0;
  };
  const outside = /&Version=1$/.test(body2);
  const decoded = decodeBase64(outside ? body2.slice(0, -"&Version=1".length) : body2);
  if ("reason" in decoded)
    return bad("bearer.short.base64", decoded.reason);
  let url;
  try {
    url = new URL(/^https?:\/\//.test(decoded.text) ? decoded.text : `https://${decoded.text}`);
  } catch {
    return bad("bearer.short.url", "it does not decode to a presigned URL");
  }
  if (url.hostname !== "bedrock.amazonaws.com" || url.pathname !== "/") {
    return bad("bearer.short.url", `it decodes to a URL for ${url.hostname || "no host"} instead of bedrock.amazonaws.com/`);
  }
  const q = url.searchParams;
  if (q.get("Action") !== "CallWithBearerToken")
    return bad("bearer.short.url", "its presigned URL is not for Action=CallWithBearerToken");
  const required = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"];
  const missing = required.filter((p) => !q.get(p));
  if (missing.length)
    return bad("bearer.short.missing-param", `its presigned URL lacks ${missing.join(", ")}`);
  if (!/^[0-9a-f]{64}$/.test(q.get("X-Amz-Signature") ?? ""))
    return bad("bearer.short.signature", "its X-Amz-Signature is not a 64-digit hex SigV4 signature (cut or edited?)");
  const scope = (q.get("X-Amz-Credential") ?? "").split("/");
  const [akid = "", scopeDate = "", keyRegion = "", service = "", terminator = ""] = scope;
  if (scope.length !== 5 || !akid || !/^\d{8}$/.test(scopeDate) || !keyRegion || terminator !== "aws4_request") {
    return bad("bearer.short.credential", "its X-Amz-Credential is not AKID/date/region/service/aws4_request");
  }
  if (service !== "bedrock") {
    return bad("bearer.short.service", `it was signed for service "${service}" instead of "bedrock"`);
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get("X-Amz-Date") ?? "");
  const issuedAt = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
  if (!m || !issuedAt || fmtTime(issuedAt).replace(/[-:]/g, "") !== m[0]) {
    return bad("bearer.short.date", "its X-Amz-Date is not a valid yyyymmddThhmmssZ time");
  }
  if (!m[0].startsWith(scopeDate))
    return bad("bearer.short.credential", "the date in its X-Amz-Credential does not match X-Amz-Date");
  const expiresRaw = q.get("X-Amz-Expires") ?? "";
  if (!/^\d+$/.test(expiresRaw) || Number(expiresRaw) <= 0) {
    return bad("bearer.short.expires", "its X-Amz-Expires is not a positive whole number of seconds");
  }
  const lifetimeSeconds = Number(expiresRaw);
  const expiresAt = new Date(issuedAt.getTime() + lifetimeSeconds * 1e3);
  const fromTemporaryCredentials = akid.startsWith("ASIA") || q.has("X-Amz-Security-Token");
  const info = {
    kind: "short-term",
    region: keyRegion,
    accessKeyIdHint: hint(akid),
    issuedAt,
    expiresAt,
    lifetimeSeconds,
    fromTemporaryCredentials,
    versionOutsideBase64: outside
  };
  const leftMs = expiresAt.getTime() - now.getTime();
  const skewMs = issuedAt.getTime() - now.getTime();
  const before = out.length;
  if (lifetimeSeconds > MAX_LIFETIME_S)
    out.push({
      severity: "warn",
      code: "bearer.short.lifetime-too-long",
      message: `The key claims a lifetime of ${formatDuration(lifetimeSeconds * 1e3)} (X-Amz-Expires=${lifetimeSeconds}), more than the 12 h maximum for short-term Bedrock API keys; it was not made by the official generator and Bedrock may reject it.`,
      fix: mintFix
    });
  if (leftMs <= 0)
    out.push({
      severity: "fail",
      code: "bearer.short.expired",
      message: `The short-term Bedrock API key expired at ${fmtTime(expiresAt)} (${formatDuration(leftMs)} ago).`,
      fix: mintFix
    });
  else if (leftMs < NEAR_EXPIRY_MS)
    out.push({
      severity: "warn",
      code: "bearer.short.near-expiry",
      message: `The short-term Bedrock API key expires at ${fmtTime(expiresAt)}, in ${formatDuration(leftMs)}; a Codex session started now will fail when it does.`,
      fix: mintFix
    });
  if (skewMs > 0)
    out.push({
      severity: "warn",
      code: "bearer.short.future",
      message: `The key was issued at ${fmtTime(issuedAt)}, ${formatDuration(skewMs)} in the future by this machine's clock: this clock or the one that minted the key is wrong, and AWS rejects signatures dated too far from its own time.`,
      fix: "Sync the system clock (NTP), then mint the key again if needed."
    });
  if (region === null)
    out.push({
      severity: "info",
      code: "bearer.short.region-unset",
      message: `The key was minted for ${keyRegion} and only works there; no effective region is set for Codex.`,
      fix: `Set AWS_REGION=${keyRegion} (or model_providers.amazon-bedrock.aws.region = "${keyRegion}").`
    });
  else if (region !== keyRegion)
    out.push({
      severity: "fail",
      code: "bearer.short.region-mismatch",
      message: `The key was minted for ${keyRegion}, but Codex will use ${region}; short-term keys only work in the Region that issued them.`,
      fix: `Mint a key in ${region}, or set the region to ${keyRegion} (AWS_REGION or model_providers.amazon-bedrock.aws.region).`
    });
  if (fromTemporaryCredentials)
    out.push({
      severity: "info",
      code: "bearer.short.temporary-credentials",
      message: `The key was minted from temporary credentials (${info.accessKeyIdHint}); it stops working when that session ends, which may be before ${fmtTime(expiresAt)}.`
    });
  if (!out.slice(before).some((f) => f.severity !== "info") && leftMs > 0)
    out.push({
      severity: "info",
      code: "bearer.short.valid",
      message: `Short-term Bedrock API key for ${keyRegion} (access key ${info.accessKeyIdHint}), issued ${fmtTime(issuedAt)}, valid until ${fmtTime(expiresAt)}: ${formatDuration(leftMs)} left.`
    });
  return info;
}
function analyseLongTerm(body2, out) {
  const fail = (why) => {
    out.push({
      severity: "fail",
      code: "bearer.long.malformed",
      message: `AWS_BEARER_TOKEN_BEDROCK looks like a long-term Bedrock API key (ABSK\u2026), but ${why}; Bedrock will reject it.`,
      fix: "Copy the key again from the Bedrock console (it is shown once), or create a new long-term key."
    });
    return void 0;
  };
  const decoded = decodeBase64(body2);
  if ("reason" in decoded)
    return fail(decoded.reason);
  const colon = decoded.text.indexOf(":");
  if (colon < 0 || colon === decoded.text.length - 1)
    return fail("it does not decode to <iam-user>-at-<account-id>:<secret>");
  const m = /^([\w+=,.@-]{1,64})-at-(\d{12})$/.exec(decoded.text.slice(0, colon));
  if (!m)
    return fail("the part before the secret is not <iam-user>-at-<12-digit account id>");
  const info = { kind: "long-term", iamUser: m[1], accountId: m[2] };
  out.push({
    severity: "info",
    code: "bearer.long.expiry-unknown",
    message: `Long-term Bedrock API key of IAM user ${info.iamUser} in account ${info.accountId}; its expiry is not stored in the key and cannot be read offline.`,
    fix: `aws iam list-service-specific-credentials --user-name ${info.iamUser} --service-name bedrock.amazonaws.com`
  });
  return info;
}
function analyseBearerKey(rawValue, now, effectiveRegion2) {
  const findings = [];
  const trimmed = rawValue.replace(TRIM_RE, "");
  if (trimmed === "") {
    return {
      effectiveKey: null,
      kind: "empty",
      findings: [{
        severity: "info",
        code: "bearer.empty",
        message: "AWS_BEARER_TOKEN_BEDROCK is set but empty; Codex ignores it and falls through to IAM credentials."
      }]
    };
  }
  const result = { effectiveKey: trimmed, kind: "unknown", findings };
  if (trimmed !== rawValue)
    findings.push({
      severity: "warn",
      code: "bearer.whitespace",
      message: "AWS_BEARER_TOKEN_BEDROCK has surrounding whitespace (spaces, tabs or a trailing newline); Codex trims it, but other AWS tools and SDKs may send it as is.",
      fix: "Set the variable again without the surrounding whitespace (e.g. no trailing newline from `echo` or a file)."
    });
  let key = trimmed;
  if (/^["']|["']$/.test(trimmed)) {
    findings.push({
      severity: "fail",
      code: "bearer.quoted",
      message: "AWS_BEARER_TOKEN_BEDROCK still has quote characters around it; Codex sends them as part of the key and Bedrock rejects it.",
      fix: 'Remove the quotes: in ~/.codex/.env write KEY=value or KEY="value" (one pair of quotes at most); in the shell, do not nest quotes.'
    });
    key = trimmed.replace(/^["']+|["']+$/g, "").replace(TRIM_RE, "");
    if (key === "")
      return result;
  }
  const body2 = key.startsWith(SHORT_PREFIX) ? key.slice(SHORT_PREFIX.length) : key.startsWith(LONG_PREFIX) ? key.slice(LONG_PREFIX.length) : key;
  if (PLACEHOLDERS.some((re) => re.test(key) || re.test(body2))) {
    findings.push({
      severity: "fail",
      code: "bearer.placeholder",
      message: "AWS_BEARER_TOKEN_BEDROCK holds a placeholder from an example, not a real Bedrock API key.",
      fix: "Generate a Bedrock API key (Bedrock console \u2192 API keys) and set AWS_BEARER_TOKEN_BEDROCK to it."
    });
    return result;
  }
  if (INNER_BAD_RE.test(key)) {
    findings.push({
      severity: "fail",
      code: "bearer.inner-whitespace",
      message: "AWS_BEARER_TOKEN_BEDROCK contains whitespace or control characters inside the key (was it wrapped or pasted with a line break?).",
      fix: "Set the variable again with the key on a single line."
    });
    return result;
  }
  if (key.startsWith(SHORT_PREFIX)) {
    result.kind = "short-term";
    const info = analyseShortTerm(body2, now, effectiveRegion2, findings);
    if (info)
      result.shortTerm = info;
  } else if (key.startsWith(LONG_PREFIX)) {
    result.kind = "long-term";
    const info = analyseLongTerm(body2, findings);
    if (info)
      result.longTerm = info;
  } else {
    findings.push({
      severity: "warn",
      code: "bearer.unknown-format",
      message: "AWS_BEARER_TOKEN_BEDROCK is neither a short-term (bedrock-api-key-\u2026) nor a long-term (ABSK\u2026) Bedrock API key; Codex will send it anyway and Bedrock will likely reject it.",
      fix: "Check that the variable holds a Bedrock API key, not an access key id, secret key or another service token."
    });
  }
  return result;
}

// dist/auth/profileKind.js
init_import_meta_url();

// dist/auth/profileChain.js
init_import_meta_url();

// dist/resolve/awsConfig.js
init_import_meta_url();
var import_node_path2 = require("node:path");
var WHITESPACE = /^[ \t]+|[ \t]+$/g;
var trimWs = (text2) => text2.replace(WHITESPACE, "");
var IDENTIFIER = /^[A-Za-z0-9_\-/.%@:+]+$/;
function prepareLine(line, commentsNeedWhitespace) {
  const trimmed = trimWs(line);
  let previousWhitespace = false;
  for (let index = 0; index < trimmed.length; index += 1) {
    const char = trimmed[index];
    if ((char === "#" || char === ";") && (previousWhitespace || !commentsNeedWhitespace))
      return trimWs(trimmed.slice(0, index));
    previousWhitespace = /\s/.test(char);
  }
  return trimmed;
}
function parseRaw(text2) {
  const sections = /* @__PURE__ */ new Map();
  let current = null;
  let property = null;
  const lines = text2.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index];
    const line = index + 1;
    if (trimWs(raw) === "" || raw.startsWith("#") || raw.startsWith(";"))
      continue;
    if (raw.startsWith("[")) {
      const prepared2 = prepareLine(raw, false);
      if (!prepared2.endsWith("]"))
        return { sections: [...sections.values()], error: { line, message: "Profile definition must end with ']'" } };
      const title = prepared2.slice(1, -1);
      current = sections.get(title) ?? { title, line, values: /* @__PURE__ */ new Map() };
      sections.set(title, current);
      property = null;
      continue;
    }
    if (!current)
      return { sections: [...sections.values()], error: { line, message: "Expected a profile definition" } };
    if (/^[ \t]/.test(raw)) {
      if (!property)
        return { sections: [...sections.values()], error: { line, message: "Expected a property definition, found continuation" } };
      const entry = current.values.get(property);
      entry.value = `${entry.value}
${trimWs(raw)}`;
      continue;
    }
    const prepared = prepareLine(raw, true);
    const equals = prepared.indexOf("=");
    if (equals < 0)
      return { sections: [...sections.values()], error: { line, message: "Expected an '=' sign defining a property" } };
    const key = trimWs(prepared.slice(0, equals)).toLowerCase();
    if (key === "")
      return { sections: [...sections.values()], error: { line, message: "Property did not have a name" } };
    current.values.set(key, { value: trimWs(prepared.slice(equals + 1)), line });
    property = key;
  }
  return { sections: [...sections.values()] };
}
function parseAwsIni(read, kind) {
  const file = { path: read.path, status: read.status, profiles: /* @__PURE__ */ new Map(), ssoSessions: /* @__PURE__ */ new Map(), ignoredSections: [] };
  if (read.status !== "ok") {
    if (read.status === "unreadable")
      file.reason = read.reason;
    return file;
  }
  file.text = read.text;
  const { sections, error } = parseRaw(read.text);
  if (error) {
    file.parseError = error;
    return file;
  }
  const ignore = (section, message2) => file.ignoredSections.push({ line: section.line, message: message2 });
  const hasPrefixedDefault = kind === "config" && sections.some((s) => /^profile[ \t]+default$/.test(trimWs(s.title)));
  sections.forEach((section) => {
    const title = trimWs(section.title);
    const split = /^(\S+)[ \t]+(.*)$/.exec(title);
    const prefix = split ? split[1] : null;
    const name = split ? split[2].trim() : title;
    if (!IDENTIFIER.test(name))
      return ignore(section, `[${title}] ignored: "${name}" is not a valid profile name`);
    let target = null;
    if (kind === "credentials") {
      if (prefix !== null)
        return ignore(section, `[${title}] ignored: profiles in the credentials file are written [NAME], without a prefix`);
      target = file.profiles;
    } else if (prefix === null) {
      if (name !== "default")
        return ignore(section, `[${title}] ignored: profiles in the config file are written [profile ${name}]`);
      if (hasPrefixedDefault)
        return ignore(section, "[default] ignored: [profile default] takes priority (as in Codex)");
      target = file.profiles;
    } else if (prefix === "profile")
      target = file.profiles;
    else if (prefix === "sso-session")
      target = file.ssoSessions;
    else
      return;
    const existing = target.get(name) ?? { name, line: section.line, values: /* @__PURE__ */ new Map() };
    section.values.forEach((entry, key) => existing.values.set(key, entry));
    target.set(name, existing);
  });
  return file;
}
function awsSharedFilePaths(env3, homeDir) {
  const expand = (path) => path === "~" ? homeDir : path.startsWith("~/") ? (0, import_node_path2.join)(homeDir, path.slice(2)) : path;
  return {
    config: expand(env3.nonEmpty("AWS_CONFIG_FILE")?.value ?? (0, import_node_path2.join)(homeDir, ".aws", "config")),
    credentials: expand(env3.nonEmpty("AWS_SHARED_CREDENTIALS_FILE")?.value ?? (0, import_node_path2.join)(homeDir, ".aws", "credentials"))
  };
}
function mergedProfile(config, credentials, profile) {
  if (config.parseError || credentials.parseError)
    return null;
  const sections = [
    [config.profiles.get(profile), config.path],
    [credentials.profiles.get(profile), credentials.path]
  ];
  if (sections.every(([section]) => section === void 0))
    return null;
  const merged = /* @__PURE__ */ new Map();
  sections.forEach(([section, path]) => section?.values.forEach((entry, key) => merged.set(key, { ...entry, path })));
  return merged;
}

// dist/auth/profileChain.js
var get = (settings, key) => settings.get(key)?.value;
function staticCreds(profile, settings) {
  const accessKeyId = get(settings, "aws_access_key_id");
  const secretAccessKey = get(settings, "aws_secret_access_key");
  const sessionToken = get(settings, "aws_session_token");
  if (accessKeyId === void 0 && secretAccessKey === void 0 && sessionToken === void 0) {
    return { code: "no-credentials", notLoaded: true, profile, message: `profile "${profile}" holds no credential settings (no keys, role_arn, sso_session, credential_process, login_session or web identity)` };
  }
  if (accessKeyId === void 0)
    return { code: "invalid", notLoaded: false, profile, message: `profile "${profile}" is missing aws_access_key_id` };
  if (secretAccessKey === void 0)
    return { code: "invalid", notLoaded: false, profile, message: `profile "${profile}" is missing aws_secret_access_key` };
  return { kind: "static", profile, accessKeyId, secretAccessKey, ...sessionToken !== void 0 ? { sessionToken } : {} };
}
function ssoSource(profile, settings, config) {
  const keys = ["sso_account_id", "sso_region", "sso_role_name", "sso_start_url", "sso_session"];
  if (keys.every((key) => !settings.has(key)))
    return null;
  const invalid = (message2) => ({ code: "invalid", notLoaded: false, profile, message: `profile "${profile}": ${message2}` });
  const session = get(settings, "sso_session") ?? null;
  let startUrl = get(settings, "sso_start_url");
  let region = get(settings, "sso_region");
  if (session !== null) {
    if (startUrl !== void 0)
      return invalid("`sso_start_url` can only be specified in the [sso-session] config when a session name is given");
    if (region !== void 0)
      return invalid("`sso_region` can only be specified in the [sso-session] config when a session name is given");
    const section = config.ssoSessions.get(session);
    if (!section)
      return invalid(`sso_session = ${session}, but there is no [sso-session ${session}] section in ${config.path}`);
    startUrl = section.values.get("sso_start_url")?.value;
    region = section.values.get("sso_region")?.value;
  }
  const accountId = get(settings, "sso_account_id");
  const roleName = get(settings, "sso_role_name");
  if (accountId !== void 0 && roleName === void 0)
    return invalid("if `sso_account_id` is set, then `sso_role_name` must also be set");
  if (roleName !== void 0 && accountId === void 0)
    return invalid("if `sso_role_name` is set, then `sso_account_id` must also be set");
  if (region === void 0)
    return invalid("missing `sso_region`");
  if (startUrl === void 0)
    return invalid("missing `sso_start_url`");
  if (accountId === void 0 || roleName === void 0)
    return { ...invalid("an SSO profile needs sso_account_id and sso_role_name to give credentials"), notLoaded: true };
  return { kind: "sso", profile, session, startUrl, region, accountId, roleName };
}
function baseSource(profile, settings, config) {
  const source = get(settings, "credential_source");
  if (source !== void 0)
    return { kind: "named-source", profile, source };
  const tokenFile = get(settings, "web_identity_token_file");
  const roleArn = get(settings, "role_arn");
  if (tokenFile !== void 0) {
    if (roleArn === void 0)
      return { code: "invalid", notLoaded: false, profile, message: `profile "${profile}": \`web_identity_token_file\` was specified but \`role_arn\` was missing` };
    const sessionName = get(settings, "role_session_name");
    return { kind: "web-identity", profile, roleArn, tokenFile, ...sessionName !== void 0 ? { sessionName } : {} };
  }
  const sso = ssoSource(profile, settings, config);
  if (sso)
    return sso;
  const loginSession = get(settings, "login_session");
  if (loginSession !== void 0)
    return { kind: "aws-login", profile, loginSession };
  const command2 = get(settings, "credential_process");
  if (command2 !== void 0)
    return { kind: "process", profile, command: command2 };
  return staticCreds(profile, settings);
}
var isError = (value) => "code" in value;
function resolveProfileChain(config, credentials, selected) {
  const fail = (error) => ({ ok: false, error });
  const broken = [config, credentials].find((file) => file.parseError);
  if (broken) {
    return fail({ code: "parse", notLoaded: false, profile: selected, message: `${broken.path} line ${broken.parseError.line} cannot be parsed (${broken.parseError.message}), so no profile can be loaded` });
  }
  const visited = [];
  const roles = [];
  let name = selected;
  for (; ; ) {
    const settings = mergedProfile(config, credentials, name);
    if (!settings) {
      if (visited.length === 0) {
        if (name === "default")
          return fail({ code: "no-profiles", notLoaded: true, profile: name, message: "there is no default profile" });
        return fail({ code: "missing-profile", notLoaded: true, profile: name, message: `AWS profile "${name}" does not exist in ${config.path} or ${credentials.path}` });
      }
      return fail({
        code: "missing-source-profile",
        notLoaded: true,
        profile: visited[visited.length - 1],
        message: `profile "${visited[visited.length - 1]}" names source_profile = ${name}, but profile "${name}" does not exist in ${config.path} or ${credentials.path}`
      });
    }
    if (visited.includes(name))
      return fail({ code: "loop", notLoaded: false, profile: name, message: `profiles form a loop: ${[...visited, name].join(" -> ")}` });
    visited.push(name);
    if (visited.length > 1) {
      const keys = staticCreds(name, settings);
      if (!isError(keys))
        return { ok: true, chain: { base: keys, roles: roles.reverse() } };
    }
    const roleArn = get(settings, "role_arn");
    if (roleArn === void 0 || settings.has("web_identity_token_file")) {
      const base = baseSource(name, settings, config);
      if (!isError(base))
        return { ok: true, chain: { base, roles: roles.reverse() } };
      if (visited.length === 1)
        return fail(base);
      return fail({ ...base, code: base.code === "no-credentials" ? "invalid" : base.code, notLoaded: false, message: `could not load source profile "${name}": ${base.message}` });
    }
    const sourceProfile = get(settings, "source_profile");
    const credentialSource = get(settings, "credential_source");
    if (sourceProfile !== void 0 && credentialSource !== void 0) {
      return fail({ code: "invalid", notLoaded: false, profile: name, message: `profile "${name}" contains both source_profile and credential_source; only one may be set` });
    }
    if (sourceProfile === void 0 && credentialSource === void 0) {
      return fail({ code: "invalid", notLoaded: false, profile: name, message: `profile "${name}" has role_arn but neither source_profile nor credential_source` });
    }
    const externalId = get(settings, "external_id");
    const sessionName = get(settings, "role_session_name");
    roles.push({ profile: name, roleArn, ...externalId !== void 0 ? { externalId } : {}, ...sessionName !== void 0 ? { sessionName } : {} });
    if (sourceProfile === void 0 || sourceProfile === name) {
      const base = baseSource(name, settings, config);
      if (isError(base))
        return fail(base);
      return { ok: true, chain: { base, roles: roles.reverse() } };
    }
    name = sourceProfile;
  }
}

// dist/auth/profileKind.js
var IAM_SOURCE_LABELS = {
  "codex-login": "AWS access keys stored in $CODEX_HOME/auth.json",
  "credential-export": "model_providers.amazon-bedrock.aws.credential_export",
  "env-keys": "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
  "profile-keys": "static keys in a shared config/credentials profile",
  "assume-role": "an assumed role (role_arn)",
  sso: "IAM Identity Center (SSO)",
  "aws-login": "aws login",
  process: "credential_process",
  "web-identity": "web identity token",
  container: "container credentials endpoint",
  "instance-metadata": "EC2 instance metadata (IMDS)",
  unknown: "the AWS credential chain"
};
var BASE_SOURCE_KIND = {
  static: "profile-keys",
  process: "process",
  "web-identity": "web-identity",
  sso: "sso",
  "aws-login": "aws-login",
  "named-source": "unknown"
};
function profileSourceKind(setup, profile) {
  const resolved = resolveProfileChain(setup.awsConfig, setup.awsCredentials, profile);
  if (!resolved.ok)
    return { ok: false, error: resolved.error };
  const { base, roles } = resolved.chain;
  if (roles.length > 0)
    return { ok: true, kind: "assume-role" };
  return { ok: true, kind: BASE_SOURCE_KIND[base.kind] };
}
function existingProfiles(setup) {
  return [.../* @__PURE__ */ new Set([...setup.awsConfig.profiles.keys(), ...setup.awsCredentials.profiles.keys()])].sort();
}
function unreadableAwsFiles(setup) {
  return [setup.awsConfig, setup.awsCredentials].filter((file) => file.status === "unreadable").map((file) => `${file.path} cannot be read (${file.reason ?? "unreadable"})`);
}

// dist/auth/ssoToken.js
init_import_meta_url();
var import_node_path3 = require("node:path");
var SSO_REFRESH_BUFFER_MS = 5 * 60 * 1e3;
function ssoCachePath(homeDir, identifier) {
  const { createHash } = process.getBuiltinModule("node:crypto");
  return (0, import_node_path3.join)(homeDir, ".aws", "sso", "cache", `${createHash("sha1").update(identifier).digest("hex")}.json`);
}
function parseCachedToken(read) {
  if (read.status === "missing")
    return { ok: false, missing: true, reason: `there is no cached SSO token (${read.path})` };
  if (read.status === "unreadable")
    return { ok: false, missing: false, reason: `the SSO token cache ${read.path} cannot be read (${read.reason})` };
  let parsed;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return { ok: false, missing: false, reason: `the SSO token cache ${read.path} is not valid JSON` };
  }
  if (typeof parsed !== "object" || parsed === null)
    return { ok: false, missing: false, reason: `the SSO token cache ${read.path} is not a JSON object` };
  const fields = new Map(Object.entries(parsed).map(([key, value]) => [key.toLowerCase(), value]));
  const text2 = (key) => typeof fields.get(key) === "string" ? fields.get(key) : void 0;
  const date = (key) => {
    const value = text2(key);
    const parsedDate = value === void 0 ? void 0 : new Date(value);
    return parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : void 0;
  };
  const accessToken = text2("accesstoken");
  const expiresAt = date("expiresat");
  if (!accessToken)
    return { ok: false, missing: false, reason: `the SSO token cache ${read.path} has no accessToken` };
  if (!expiresAt)
    return { ok: false, missing: false, reason: `the SSO token cache ${read.path} has no valid expiresAt` };
  const optional = { clientId: text2("clientid"), clientSecret: text2("clientsecret"), refreshToken: text2("refreshtoken"), registrationExpiresAt: date("registrationexpiresat") };
  return { ok: true, token: { accessToken, expiresAt, ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== void 0)) } };
}
function decideTokenUse(token, now) {
  const expired = token.expiresAt.getTime() <= now.getTime();
  const expiresSoon = token.expiresAt.getTime() - SSO_REFRESH_BUFFER_MS <= now.getTime();
  const registrationExpired = token.registrationExpiresAt ? token.registrationExpiresAt.getTime() <= now.getTime() : true;
  const refreshable = Boolean(token.clientId && token.clientSecret && token.refreshToken && token.registrationExpiresAt) && !registrationExpired;
  if (expired && !refreshable)
    return { action: "expired" };
  if (expiresSoon && refreshable)
    return { action: "refresh" };
  return { action: "use" };
}
function readSsoCacheFor(chain, homeDir, readFile) {
  if (!chain.ok || chain.chain.base.kind !== "sso")
    return null;
  const base = chain.chain.base;
  return { profile: base.profile, legacy: base.session === null, read: readFile(ssoCachePath(homeDir, base.session ?? base.startUrl)) };
}
function judgeSsoCache(cache, now) {
  const parsed = parseCachedToken(cache.read);
  if (!parsed.ok)
    return { ok: false, sentence: parsed.reason };
  const { token } = parsed;
  const until = token.expiresAt.toISOString();
  if (cache.legacy) {
    return token.expiresAt.getTime() > now.getTime() ? { ok: true, sentence: `the cached SSO token is valid until ${until}` } : { ok: false, sentence: `the cached SSO token expired at ${until}; a legacy SSO profile cannot refresh it` };
  }
  const decision = decideTokenUse(token, now);
  if (decision.action === "expired")
    return { ok: false, sentence: `the cached SSO token expired at ${until} and cannot be refreshed` };
  if (decision.action === "refresh")
    return { ok: true, sentence: `the cached SSO token ${token.expiresAt.getTime() <= now.getTime() ? "expired" : "expires"} at ${until}; Codex refreshes it with the refresh token when it starts` };
  return { ok: true, sentence: `the cached SSO token is valid until ${until}` };
}

// dist/checks/authToken.js
var DOCS2 = "https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html";
var SSO_DOCS = "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html";
var NEAR_EXPIRY_MS2 = 15 * 60 * 1e3;
function worst(statuses) {
  return ["fail", "warn", "pass"].find((status) => statuses.includes(status)) ?? "pass";
}
function precedenceNotes(setup) {
  const notes = setup.auth.ignored.map((item) => `${item.what} is present but ignored: ${item.why}`);
  if (setup.auth.emptyBearerIgnored) {
    notes.push(`AWS_BEARER_TOKEN_BEDROCK is set but empty (${describeOrigin(setup.auth.emptyBearerIgnored)}): Codex ignores it and uses IAM credentials`);
  }
  return notes;
}
function withIgnoredNote(outcome, setup) {
  const ignored = setup.auth.ignored.map((item) => item.what);
  if (setup.auth.emptyBearerIgnored)
    ignored.push("the empty AWS_BEARER_TOKEN_BEDROCK");
  if (ignored.length === 0 || outcome.status === "skip")
    return outcome;
  return { ...outcome, summary: `${outcome.summary}; present but ignored by Codex: ${ignored.join(", ")}` };
}
function effectiveRegion(setup) {
  const value = setup.region.effective?.value;
  return typeof value === "string" && REGION_SHAPE.test(value) ? value : null;
}
function passHeadline(analysis) {
  if (analysis.shortTerm) {
    const key = analysis.shortTerm;
    return `Short-term Bedrock API key for ${key.region}, valid until ${formatTime(key.expiresAt)}`;
  }
  if (analysis.longTerm) {
    return `Long-term Bedrock API key of IAM user ${analysis.longTerm.iamUser} (account ${analysis.longTerm.accountId}); its expiry cannot be read offline`;
  }
  return "Codex will send the Bedrock API key";
}
function staleDotenvLine(setup, now) {
  const origin = setup.auth.origin;
  const shellKey = setup.env.shell["AWS_BEARER_TOKEN_BEDROCK"];
  if (origin?.kind !== "env" || origin.from !== "dotenv" || !origin.line || !shellKey || shellKey === setup.auth.bearerKey?.value)
    return null;
  const shellAnalysis = analyseBearerKey(shellKey, now, effectiveRegion(setup));
  if (shellAnalysis.findings.some((finding) => finding.severity !== "info"))
    return null;
  return `Delete line ${origin.line} of ${origin.path ?? setup.env.dotenv.path}: its AWS_BEARER_TOKEN_BEDROCK overrides the key in your shell, which is sound (Codex applies .env over the shell).`;
}
function bearerOutcome(setup, analysis, now) {
  const source = describeOrigin(setup.auth.origin);
  const problems = analysis.findings.filter((f) => f.severity !== "info");
  const status = worst(problems.map((f) => f.severity));
  const notes = precedenceNotes(setup);
  const facts = { authMode: "bearer", keyKind: analysis.kind };
  if (analysis.shortTerm) {
    Object.assign(facts, {
      expiresAt: analysis.shortTerm.expiresAt.toISOString(),
      keyRegion: analysis.shortTerm.region,
      accessKeyId: analysis.shortTerm.accessKeyIdHint,
      fromTemporaryCredentials: analysis.shortTerm.fromTemporaryCredentials
    });
  }
  if (analysis.longTerm)
    Object.assign(facts, { iamUser: analysis.longTerm.iamUser, accountId: analysis.longTerm.accountId });
  const headline = status === "pass" ? passHeadline(analysis) : problems.map((f) => f.message).join(" ");
  const deleteLine = problems.length > 0 ? staleDotenvLine(setup, now) : null;
  return {
    status,
    code: status === "pass" ? "auth.bearer-key-ok" : deleteLine ? "auth.stale-dotenv-key" : `auth.${problems[0].code}`,
    summary: `${headline} (${source})`,
    details: [`Codex sends the key from ${source} in the Authorization header, as a bearer token`, ...analysis.findings.map((f) => `${f.severity}: ${f.message}`), ...notes],
    ...problems.length > 0 ? { remediation: deleteLine ?? [...new Set(problems.map((f) => f.fix).filter(Boolean))].join("\n") } : {},
    docs: DOCS2,
    facts
  };
}
function offlineIamOutcome(setup, context) {
  const plan = setup.auth;
  const notes = precedenceNotes(setup);
  if (plan.source === "env-keys") {
    const akid = setup.env.get("AWS_ACCESS_KEY_ID").trim();
    const temporary = akid.startsWith("ASIA");
    if (temporary && !setup.env.nonEmpty("AWS_SESSION_TOKEN")) {
      return {
        status: "fail",
        code: "auth.session-token-missing",
        summary: `AWS_ACCESS_KEY_ID ${accessKeyHint(akid)} is a temporary key (ASIA\u2026) but AWS_SESSION_TOKEN is not set; AWS will reject it`,
        details: notes,
        remediation: "Export AWS_SESSION_TOKEN together with the temporary keys (all three come from the same aws sts / SSO output).",
        docs: DOCS2
      };
    }
    return {
      status: "pass",
      code: "auth.env-keys",
      summary: `Codex will use ${temporary ? "temporary" : "long-term"} access key ${accessKeyHint(akid)} from ${describeOrigin(plan.origin)} (not verified: --offline)`,
      details: notes,
      facts: { authMode: "iam", credentialSource: "env-keys", accessKeyId: accessKeyHint(akid) }
    };
  }
  if (plan.source === "credential-export") {
    return plan.credentialExport ? { status: "pass", code: "auth.credential-export", summary: `Codex will sign with the credentials printed by \`${plan.credentialExport.command}\` (aws.credential_export, ${describeOrigin(plan.origin)}; not run: --offline)`, details: notes, facts: { authMode: "iam", credentialSource: "credential-export" } } : { status: "fail", code: "auth.credential-export-invalid", summary: `aws.credential_export at ${describeOrigin(plan.origin)} cannot be used: ${plan.commandProblem}; Codex does not fall back to other credentials`, details: notes, remediation: 'Write it as credential_export = { command = "/path/to/program", args = [...] } under [model_providers.amazon-bedrock.aws].', docs: DOCS2 };
  }
  const profile = plan.awsProfile?.value ?? "default";
  const resolved = profileSourceKind(setup, profile);
  if (!resolved.ok) {
    const { error } = resolved;
    const named = plan.awsProfile !== void 0;
    if (error.code === "no-profiles" || error.notLoaded && !named && error.code !== "missing-source-profile") {
      return {
        status: "warn",
        code: "auth.no-credentials",
        summary: "No Bedrock API key, no AWS access keys and no default profile: only web identity, container or instance credentials could work (not probed: --offline)",
        details: notes,
        remediation: "Set AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key) or configure IAM credentials (aws configure, aws sso login).",
        docs: DOCS2
      };
    }
    const existing = existingProfiles(setup);
    return {
      status: "fail",
      code: error.code === "missing-profile" ? "auth.profile-not-found" : "auth.profile-without-credentials",
      summary: error.code === "missing-profile" ? `AWS profile "${profile}" (${describeOrigin(plan.origin)}) does not exist in ${setup.awsConfig.path} or ${setup.awsCredentials.path}` : `AWS profile "${profile}" cannot give credentials: ${error.message}`,
      details: notes,
      remediation: error.code === "missing-profile" ? existing.length > 0 ? `Use one of: ${existing.join(", ")}` : `Create it: aws configure --profile ${profile}` : error.code === "no-credentials" ? `Add credentials to it: aws configure --profile ${profile}` : "Fix the AWS config file as the message says.",
      docs: DOCS2
    };
  }
  const kind = resolved.kind;
  if (kind === "sso" && setup.ssoCache) {
    const judged = judgeSsoCache(setup.ssoCache, context.now());
    if (!judged.ok) {
      return {
        status: "fail",
        code: "auth.sso-session",
        summary: `The IAM Identity Center (SSO) session of AWS profile "${profile}" is missing or expired: ${judged.sentence}`,
        details: notes,
        remediation: `Run: aws sso login --profile ${profile}`,
        docs: DOCS2,
        facts: { authMode: "iam", credentialSource: kind, profile }
      };
    }
    notes.push(`${judged.sentence} (${setup.ssoCache.read.path})`);
  }
  return {
    status: "pass",
    code: "auth.profile",
    summary: `Codex will take credentials from AWS profile "${profile}" via ${IAM_SOURCE_LABELS[kind]} (not resolved: --offline)`,
    details: notes,
    facts: { authMode: "iam", credentialSource: kind, profile }
  };
}
async function onlineIamOutcome(context) {
  const { setup } = context;
  const notes = precedenceNotes(setup);
  const resolution = await context.services.iamCredentials();
  if (!resolution.ok) {
    return {
      status: "fail",
      code: resolution.source === "sso" ? "auth.sso-session" : "auth.iam-unresolved",
      summary: `Codex cannot get IAM credentials from ${setup.auth.description}: ${resolution.reason}`,
      details: notes,
      remediation: resolution.fix,
      docs: resolution.source === "sso" ? SSO_DOCS : DOCS2,
      facts: { authMode: "iam", credentialSource: resolution.source, profile: resolution.profile }
    };
  }
  const creds = resolution.credentials;
  const key = accessKeyHint(creds.accessKeyId);
  const via = `${IAM_SOURCE_LABELS[creds.source]}${creds.profile ? ` (profile ${creds.profile})` : ""}`;
  const facts = {
    authMode: "iam",
    credentialSource: creds.source,
    profile: creds.profile,
    accessKeyId: key,
    // The key id says what a key is: an AKIA key with a leftover AWS_SESSION_TOKEN is still a long-term key.
    temporary: creds.accessKeyId.startsWith("ASIA"),
    expiresAt: creds.expiration?.toISOString() ?? null
  };
  notes.push(...creds.notes ?? []);
  const left2 = creds.expiration ? creds.expiration.getTime() - context.now().getTime() : null;
  if (left2 !== null && left2 <= 0) {
    return {
      status: "fail",
      code: "auth.iam-expired",
      summary: `The IAM credentials from ${via} expired at ${formatTime(creds.expiration)} (${formatDuration(left2)} ago); Codex still signs with them and AWS rejects the requests`,
      details: notes,
      remediation: creds.source === "sso" ? `Run: aws sso login${creds.profile ? ` --profile ${creds.profile}` : ""}` : "Refresh the credentials (re-run what produced them).",
      docs: creds.source === "sso" ? SSO_DOCS : DOCS2,
      facts
    };
  }
  const expiry = creds.expiration ? `, valid until ${formatTime(creds.expiration)} (${formatDuration(left2)} left)` : ", no expiry";
  if (left2 !== null && left2 < NEAR_EXPIRY_MS2) {
    return {
      status: "warn",
      code: "auth.iam-near-expiry",
      summary: `IAM credentials from ${via} expire in ${formatDuration(left2)} (${formatTime(creds.expiration)})`,
      details: notes,
      remediation: "Refresh them before a long Codex session; Codex re-resolves credentials from the same source when it starts.",
      docs: DOCS2,
      facts
    };
  }
  if (creds.sessionToken && !facts.temporary && creds.accessKeyId.startsWith("AKIA")) {
    return {
      status: "warn",
      code: "auth.leftover-session-token",
      summary: `Codex will sign with long-term access key ${key} from ${via}, and also send the session token that is set with it; AWS rejects a long-term key with a session token`,
      details: notes,
      remediation: "Unset the leftover AWS_SESSION_TOKEN (it belongs to other, temporary keys), or set the matching temporary keys.",
      docs: DOCS2,
      facts
    };
  }
  return {
    status: "pass",
    code: "auth.iam-ok",
    summary: `Codex will sign with ${facts.temporary ? "temporary" : "long-term"} access key ${key} from ${via}${expiry}`,
    details: notes,
    facts
  };
}
function asCommandOutput(analysis) {
  const printed = "the token printed by the auth command";
  const message2 = (text2) => text2.replace(/^AWS_BEARER_TOKEN_BEDROCK/, "The token printed by the auth command").replaceAll("AWS_BEARER_TOKEN_BEDROCK", printed);
  const fix = (text2) => /quotes|whitespace|single line|variable/i.test(text2) ? "Make the auth command print just the Bedrock API key on stdout (no quotes, labels or extra lines); Codex trims surrounding whitespace and sends the rest as is." : text2.replaceAll("set AWS_BEARER_TOKEN_BEDROCK to it", "make the auth command print it").replaceAll("AWS_BEARER_TOKEN_BEDROCK", printed);
  return { ...analysis, findings: analysis.findings.map((finding) => ({ ...finding, message: message2(finding.message), ...finding.fix ? { fix: fix(finding.fix) } : {} })) };
}
async function commandOutcome(context) {
  const { setup } = context;
  const where = describeOrigin(setup.auth.origin);
  const notes = precedenceNotes(setup);
  const noAuth = "Codex then sends its requests without any authorization and does not fall back to AWS_BEARER_TOKEN_BEDROCK or IAM credentials";
  if (!setup.auth.authCommand) {
    return { status: "fail", code: "auth.command-invalid", summary: `The auth command at ${where} cannot be used: ${setup.auth.commandProblem}`, details: notes, remediation: 'Write it as [model_providers.amazon-bedrock.auth] with command = "/path/to/program" and, if needed, args = [...] and timeout_ms = 5000.', docs: DOCS2, facts: { authMode: "command" } };
  }
  if (context.options.offline) {
    return { status: "pass", code: "auth.command", summary: `Codex will run the auth command at ${where} and send what it prints as a bearer token (not run: --offline)`, details: notes, facts: { authMode: "command" } };
  }
  const result = await context.services.authCommandToken();
  if (!result.ok) {
    return {
      status: "fail",
      code: "auth.command-failed",
      summary: `The auth command at ${where} gave no token: ${result.reason}; ${noAuth}`,
      details: notes,
      remediation: "Run the command by hand until it prints a Bedrock API key and exits 0 within timeout_ms (default 5000 ms); raise timeout_ms if it is slow.",
      docs: DOCS2,
      facts: { authMode: "command" }
    };
  }
  const outcome = bearerOutcome(setup, asCommandOutput(analyseBearerKey(result.value, context.now(), effectiveRegion(setup))), context.now());
  return { ...outcome, summary: `${outcome.summary}; printed by the auth command \`${result.ranFor}\``, facts: { ...outcome.facts, authMode: "command" } };
}
async function decide(context) {
  const { setup } = context;
  if (setup.auth.mode === "command")
    return commandOutcome(context);
  if (setup.auth.mode === "bearer") {
    return bearerOutcome(setup, analyseBearerKey(setup.auth.bearerKey.value, context.now(), effectiveRegion(setup)), context.now());
  }
  const unreadable = unreadableAwsFiles(setup);
  if (unreadable.length > 0 && setup.auth.source !== "env-keys") {
    return {
      status: "fail",
      code: "auth.aws-files-unreadable",
      summary: `${unreadable.join("; ")}: the AWS SDK, and so Codex, find no profiles in it`,
      details: precedenceNotes(setup),
      remediation: "Restore the file as INI text (aws configure writes it), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at readable files.",
      docs: DOCS2
    };
  }
  return context.options.offline ? offlineIamOutcome(setup, context) : onlineIamOutcome(context);
}
var authToken = {
  id: "auth.token",
  title: "Credential Codex will use",
  requires: ["config.provider"],
  network: false,
  async run(context) {
    return withIgnoredNote(await decide(context), context.setup);
  }
};

// dist/checks/bedrockResponses.js
init_import_meta_url();

// dist/net/mantle.js
init_import_meta_url();
var MANTLE_SIGNING_SERVICE = "bedrock-mantle";
var SIGNABLE = (name) => !name.includes("_");
async function signedHeaders(url, method, body2, auth) {
  const headers = {
    host: url.host,
    "content-type": "application/json",
    accept: "application/json",
    "user-agent": `codex-bedrock/${TOOL_VERSION}`
  };
  if (auth.kind === "bearer")
    return { ...headers, authorization: `Bearer ${auth.key}` };
  const [{ SignatureV4 }, { HttpRequest }, { Hash }] = await Promise.all([
    __codexBedrockImport("@smithy/signature-v4"),
    __codexBedrockImport("@smithy/protocol-http"),
    __codexBedrockImport("@smithy/hash-node")
  ]);
  const signer = new SignatureV4({
    service: MANTLE_SIGNING_SERVICE,
    region: auth.region,
    credentials: {
      accessKeyId: auth.credentials.accessKeyId,
      secretAccessKey: auth.credentials.secretAccessKey,
      ...auth.credentials.sessionToken ? { sessionToken: auth.credentials.sessionToken } : {}
    },
    sha256: Hash.bind(null, "sha256"),
    // Codex signs the body's SHA-256 but sends no x-amz-content-sha256 header (observed with 0.169.0).
    applyChecksum: false
  });
  const query = Object.fromEntries(url.searchParams.entries());
  const request2 = new HttpRequest({
    protocol: url.protocol,
    hostname: url.hostname,
    ...url.port ? { port: Number(url.port) } : {},
    method,
    path: url.pathname,
    query,
    headers: Object.fromEntries(Object.entries(headers).filter(([name]) => SIGNABLE(name))),
    ...body2 ? { body: body2 } : {}
  });
  const signed = await signer.sign(request2);
  return signed.headers;
}
var MAX_BODY_BYTES = 1024 * 1024;
async function mantleRequest(input) {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const badUrl = unusableUrl(input.url);
  if (badUrl)
    return { ok: false, failure: { kind: "bad-setting", code: null, detail: `The endpoint ${JSON.stringify(input.url)} cannot be used (${badUrl})` }, latencyMs: 0, proxy: null };
  const url = new URL(input.url);
  const body2 = input.body ?? "";
  const { agent, proxy, problem } = await proxyAgentFor(url, input.env);
  if (problem)
    return { ok: false, failure: { kind: "bad-setting", code: null, detail: problem }, latencyMs: 0, proxy: null };
  const headers = await signedHeaders(url, input.method, body2, input.auth);
  const ca = url.protocol === "https:" ? await extraTrustedCertificates(input.env) : null;
  const transport = url.protocol === "https:" ? await __codexBedrockImport("node:https") : await __codexBedrockImport("node:http");
  const { checkServerIdentity } = await __codexBedrockImport("node:tls");
  return new Promise((resolve9) => {
    let phase = "connect";
    let settled = false;
    const finish = (result) => {
      if (settled)
        return;
      settled = true;
      clearTimeout(timer);
      request2.destroy();
      resolve9(result);
    };
    const failed = (failure2) => finish({ ok: false, failure: failure2, latencyMs: elapsed(), proxy });
    const request2 = transport.request(url, {
      method: input.method,
      headers: { ...headers, ...body2 ? { "content-length": String(Buffer.byteLength(body2)) } : {} },
      agent,
      ...ca ? { ca } : {},
      // Through a CONNECT tunnel the agent does not pass the target host on (it cannot be an SNI name when
      // it is an IP), so verify the certificate against the URL's host explicitly.
      checkServerIdentity: (_host, certificate) => checkServerIdentity(url.hostname, certificate)
    }, (response) => {
      phase = "body";
      const status = response.statusCode ?? 0;
      if (status === 407 && proxy)
        return failed({ kind: "proxy-auth", code: "HTTP 407", answeredBy: "proxy" });
      const chunks = [];
      let received = 0;
      response.on("data", (chunk) => {
        received += chunk.length;
        if (received > MAX_BODY_BYTES)
          return failed({ kind: "too-large", code: `HTTP ${status}`, answeredBy: "server" });
        chunks.push(chunk);
      });
      response.on("end", () => finish({ ok: true, status, headers: response.headers, body: Buffer.concat(chunks).toString("utf8"), latencyMs: elapsed(), proxy }));
      response.on("error", (error) => failed(classifyNetworkError(error)));
    });
    request2.on("socket", () => phase = phase === "connect" ? "headers" : phase);
    const timer = setTimeout(() => {
      if (phase === "body")
        return failed({ kind: "slow-body", code: null, answeredBy: "server" });
      if (phase === "connect" && proxy && url.protocol === "https:")
        return failed({ kind: "timeout", code: "CONNECT", answeredBy: "proxy" });
      failed({ kind: "timeout", code: null });
    }, input.timeoutMs);
    request2.on("error", (error) => failed(classifyNetworkError(error)));
    request2.end(body2 || void 0);
  });
}
function responsesProbeBody(model) {
  return JSON.stringify({ model, input: "ping", max_output_tokens: 16, store: false });
}

// dist/checks/bedrockResponses.js
var DOCS3 = "https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html";
var SKEW_WARN_MS = 6e4;
var MAX_LISTED_MODELS = 500;
var MAX_MODEL_ID_LENGTH = 128;
function parseJson(text2) {
  try {
    return JSON.parse(text2);
  } catch {
    return void 0;
  }
}
function mantleError(body2) {
  const parsed = parseJson(body2);
  const error = parsed?.error;
  const text2 = (value) => typeof value === "string" ? value : null;
  const message2 = text2(error?.message) ?? text2(parsed?.message) ?? body2.slice(0, 200).trim();
  return { type: text2(error?.type), code: text2(error?.code), message: message2 || "(empty body)" };
}
function header(response, name) {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}
function clockSkewMs(response, now) {
  const date = header(response, "date");
  const serverTime = date ? Date.parse(date) : NaN;
  return Number.isNaN(serverTime) ? null : now.getTime() - serverTime;
}
function describeSkew(skewMs) {
  return `this machine's clock is ${formatDuration(skewMs)} ${skewMs > 0 ? "ahead of" : "behind"} the server's`;
}
function iamAction(setup) {
  return setup.auth.mode !== "iam" ? "bedrock-mantle:CallWithBearerToken and bedrock-mantle:CreateInference (e.g. the AWS managed policy AmazonBedrockMantleInferenceAccess) for the IAM identity the key belongs to" : "bedrock-mantle:CreateInference (e.g. the AWS managed policy AmazonBedrockMantleInferenceAccess)";
}
async function authFor(context, region) {
  const { setup } = context;
  if (setup.auth.mode === "bearer")
    return { kind: "bearer", key: codexTrim(setup.auth.bearerKey.value) };
  if (setup.auth.mode === "command") {
    const token = await context.services.authCommandToken();
    return token.ok ? { kind: "bearer", key: token.value } : { skip: "the auth command gave no token (see auth.token)" };
  }
  const resolution = await context.services.iamCredentials();
  if (!resolution.ok)
    return { skip: "no IAM credentials to sign with (see auth.token)" };
  return { kind: "sigv4", credentials: resolution.credentials, region };
}
async function modelsOffered(context, base, auth) {
  const listed = await context.services.mantle({ url: `${base}/models`, method: "GET", auth, timeoutMs: context.options.timeoutMs, env: context.setup.env });
  if (!listed.ok || listed.status < 200 || listed.status >= 300)
    return null;
  const data = parseJson(listed.body)?.data;
  return Array.isArray(data) ? data.slice(0, MAX_LISTED_MODELS).map((entry) => entry?.id).filter((id) => typeof id === "string" && id.length <= MAX_MODEL_ID_LENGTH) : null;
}
async function diagnose(context, response, base, auth, region) {
  const { setup } = context;
  const model = setup.model.value;
  const skew = clockSkewMs(response, context.now());
  const skewed = skew !== null && Math.abs(skew) > SKEW_WARN_MS;
  const requestId = header(response, "x-amzn-requestid") ?? header(response, "x-request-id");
  const details = [
    `POST ${base}/responses -> HTTP ${response.status} in ${response.latencyMs} ms`,
    ...requestId ? [`request id: ${requestId}`] : [],
    ...response.proxy ? [`through proxy ${displayProxy(response.proxy)}`] : [],
    ...skew !== null ? [`clock skew vs server Date header: ${Math.round(skew / 1e3)} s`] : []
  ];
  const facts = { httpStatus: response.status, latencyMs: response.latencyMs, requestId, clockSkewSeconds: skew === null ? null : Math.round(skew / 1e3) };
  const fail = (code, summary, remediation) => ({ status: "fail", code: `bedrock.${code}`, summary, details, remediation, docs: DOCS3, facts });
  if (response.status >= 200 && response.status < 300) {
    const body2 = parseJson(response.body);
    if (!body2 || typeof body2 !== "object" || typeof body2.id !== "string" && typeof body2.object !== "string") {
      return fail("not-responses-api", `The endpoint answered HTTP ${response.status} but not with a Responses API document (${response.body.trim() === "" ? "empty body" : "unexpected content"}): something between you and Mantle (a proxy or captive portal, or a wrong base_url) answered instead`, "Check base_url and HTTPS_PROXY/NO_PROXY; the endpoint must be https://bedrock-mantle.REGION.api.aws/openai/v1.");
    }
    const echoed = typeof body2.model === "string" ? body2.model : model;
    const summary = `Mantle accepted a Responses call for ${echoed} in ${region} (${response.latencyMs} ms${requestId ? `, request ${requestId}` : ""})`;
    if (skewed) {
      return { status: "warn", code: "bedrock.clock-skew", summary: `${summary}, but ${describeSkew(skew)}`, details, remediation: "Sync the clock (e.g. timedatectl set-ntp true): SigV4 and Bedrock keys are rejected beyond 5 minutes of skew.", docs: DOCS3, facts: { ...facts, model: echoed } };
    }
    return { status: "pass", code: "bedrock.ok", summary, details, facts: { ...facts, model: echoed } };
  }
  const error = mantleError(response.body);
  details.push(`Mantle said: ${error.message}${error.code ? ` (code ${error.code})` : ""}`);
  const skewNote = skewed ? `; ${describeSkew(skew)}, the likely cause` : "";
  if (response.status === 401 || response.status === 403) {
    if (/signature expired|request has expired|expired/i.test(error.message)) {
      return fail("expired", `Mantle rejected the request as expired (HTTP ${response.status})${skewNote || ": the credentials are stale or the clock is off"}`, skewed ? "Sync this machine\u2019s clock (e.g. timedatectl set-ntp true)." : "Refresh the credentials (a new Bedrock API key, aws sso login, or fresh temporary keys) and check the clock.");
    }
    if (/not authorized|access ?denied|permission|forbidden|explicit deny/i.test(error.message) || error.type === "permission_denied_error") {
      return fail("access-denied", `Access denied (HTTP ${response.status}): the identity may not call ${model} on Mantle in ${region}`, `Grant ${iamAction(setup)}, and make sure model access for ${model} is enabled in ${region}.`);
    }
    if (/signature|credential should be scoped|does not match/i.test(error.message)) {
      return fail("signature-mismatch", `Mantle rejected the SigV4 signature (HTTP ${response.status})${skewNote}`, skewed ? "Sync this machine\u2019s clock." : "Check that the secret access key belongs to the access key id, and that nothing rewrites the request (a proxy) on the way.");
    }
    return fail("credential-rejected", `Mantle rejected the credential (HTTP ${response.status}): ${setup.auth.mode !== "iam" ? "the Bedrock API key is invalid, revoked, expired or from another region" : "the IAM credentials were not accepted"}${skewNote}`, setup.auth.mode === "command" ? "Check what the auth command prints: it must be a Bedrock API key for this region." : setup.auth.mode === "bearer" ? `Create a new Bedrock API key for ${region} and set it in AWS_BEARER_TOKEN_BEDROCK.` : "Check the credentials (auth.token, auth.identity) and that they belong to the account with Bedrock access.");
  }
  if (response.status === 404) {
    details.push(retryNote(setup, "a 404", setup.codex.rules.behaviour.retries404));
    const offered = await modelsOffered(context, base, auth);
    if (offered?.includes(model)) {
      return fail("model-access", `Model ${model} is listed at ${base} but the Responses call got HTTP 404: ${error.message}`, `Check that model access for ${model} is enabled for this account in ${region}.`);
    }
    if (offered && offered.length > 0) {
      const ranked = bySimilarity(model, offered);
      return fail("model-not-offered", `Model ${model} is not offered at ${base} (HTTP 404). Models it offers, closest first: ${ranked.slice(0, 8).join(", ")}`, `Set model = "${ranked[0]}" in config.toml (or pick another offered id), or use a region where ${model} is available.`);
    }
    return fail("not-found", `HTTP 404 from ${base}/responses: ${/model/i.test(error.message) ? `model ${model} does not exist in ${region}` : "the endpoint path was not found"}`, /model/i.test(error.message) ? `Use a model offered in ${region} (Codex ${setup.codex.rules.release} knows: ${setup.codex.rules.behaviour.catalogue.slice(0, 4).join(", ")}), or another region.` : "Check base_url: it must end in /openai/v1.");
  }
  if (response.status === 400 && /isn't supported on this route|not supported on this route/i.test(error.message)) {
    return fail("wrong-route", `Model ${model} exists but is not served on the Responses route Codex uses (HTTP 400: ${error.message})`, `Pick a model that supports the Responses API, e.g. ${setup.codex.rules.behaviour.catalogue.slice(0, 3).join(", ")}.`);
  }
  if (response.status === 429) {
    details.push(retryNote(setup, "a 429", setup.codex.rules.behaviour.retries429));
    return {
      status: "warn",
      code: "bedrock.throttled",
      summary: `Mantle answered 429 (rate limit or quota): the setup is right, but requests are being throttled now`,
      details,
      remediation: "Wait and retry; for lasting throttling, ask for a quota increase in Service Quotas (Amazon Bedrock) for this model and region.",
      docs: DOCS3,
      facts
    };
  }
  if (response.status >= 500) {
    return fail("server-error", `Mantle had a server error (HTTP ${response.status}): ${error.message}`, "This is on the AWS side: retry in a few minutes and check the AWS Health Dashboard for Amazon Bedrock in this region.");
  }
  return fail("http-error", `Mantle refused the request (HTTP ${response.status}): ${error.message}`, "Read the message above; if it names a parameter, check model and base_url in config.toml.");
}
var hasKnownEndpoint = (region) => CODEX_MANTLE_REGIONS.includes(region);
function proxyFailed(response) {
  return response.proxy !== null && (response.failure.kind === "refused" || response.failure.kind === "dns");
}
function networkFailureSummary(response, explained, region, overridden) {
  if (proxyFailed(response)) {
    const what = response.failure.kind === "refused" ? "refused the connection" : "does not resolve";
    return `The proxy ${displayProxy(response.proxy)} ${what} (${response.failure.code}); the request to Mantle never left this machine`;
  }
  if (response.failure.kind !== "dns" || overridden)
    return explained;
  return hasKnownEndpoint(region) ? `${explained}: Mantle does have an endpoint in ${region}, so this machine cannot resolve public host names (no network, or a DNS or VPN problem)` : `${explained}: there is no Mantle endpoint in ${region}, or this machine has no network`;
}
function networkFailureFix(response, explained, host, region, overridden, caBundle) {
  if (response.failure.kind === "tls" && caBundle) {
    return `${explained} AWS_CA_BUNDLE is set, but Codex ignores it (only the AWS CLI reads it): give Codex the CA through SSL_CERT_FILE or CODEX_CA_CERTIFICATE, and this doctor through NODE_EXTRA_CA_CERTS.`;
  }
  if (proxyFailed(response)) {
    return `Fix or remove the proxy setting (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY: Codex reads the same ones and would fail the same way), or add ${host.replace(/:\d+$/, "")} to NO_PROXY if it must be reached directly.`;
  }
  if (response.failure.kind !== "dns" || overridden || hasKnownEndpoint(region))
    return explained;
  const others = CODEX_MANTLE_REGIONS.filter((candidate) => candidate !== region).slice(0, 3);
  return `Use a region with a Mantle endpoint (e.g. ${others.join(", ")}), or check DNS/network. ${explained}`;
}
function retryNote(setup, what, retried) {
  const release2 = setup.codex.rules.release;
  return retried ? `Codex ${release2} retries ${what} five times ("Reconnecting... n/5") before it reports it` : `Codex ${release2} reports ${what} at once, without retrying`;
}
var bedrockResponses = {
  id: "bedrock.responses",
  title: "Live Responses call to Bedrock Mantle",
  requires: ["region.set", "region.not-govcloud", "auth.token", "auth.identity", "model.id"],
  network: true,
  async run(context) {
    const { setup } = context;
    const base = setup.endpoint?.value;
    const region = typeof setup.region.effective?.value === "string" ? setup.region.effective.value : null;
    if (!base || !region) {
      const reason = "no endpoint: needs a region or a base_url";
      return { status: "skip", code: "bedrock.no-endpoint", summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const badUrl = unusableUrl(base);
    if (badUrl) {
      return {
        status: "fail",
        code: "bedrock.bad-base-url",
        summary: `base_url ${JSON.stringify(base)} (${describeOrigin(setup.endpoint.origin)}) cannot be used: ${badUrl}; Codex cannot reach Bedrock through it`,
        remediation: "Set base_url to https://bedrock-mantle.REGION.api.aws/openai/v1, or remove it to let Codex derive it from the region.",
        docs: DOCS3
      };
    }
    const auth = await authFor(context, region);
    if ("skip" in auth)
      return { status: "skip", code: "bedrock.no-credentials", summary: `Skipped: ${auth.skip}`, skipReason: auth.skip };
    const response = await context.services.mantle({
      url: `${base}/responses`,
      method: "POST",
      body: responsesProbeBody(setup.model.value),
      auth,
      timeoutMs: context.options.timeoutMs,
      env: setup.env
    });
    if (!response.ok) {
      const host = new URL(base).host;
      const explained = explainNetworkFailure(response.failure, "Bedrock Mantle", host, Math.round(context.options.timeoutMs / 1e3));
      return {
        status: "fail",
        code: proxyFailed(response) ? "bedrock.proxy-failed" : `bedrock.network-${response.failure.kind}`,
        summary: networkFailureSummary(response, explained.summary, region, setup.baseUrl !== null),
        details: [`POST ${base}/responses`, ...response.proxy ? [`through proxy ${displayProxy(response.proxy)}`] : []],
        remediation: networkFailureFix(response, explained.fix, host, region, setup.baseUrl !== null, setup.env.nonEmpty("AWS_CA_BUNDLE") !== void 0),
        docs: DOCS3,
        facts: { networkError: response.failure.kind, latencyMs: response.latencyMs }
      };
    }
    return diagnose(context, response, base, auth, region);
  }
};

// dist/checks/codexVersion.js
init_import_meta_url();
var DOCS4 = "https://developers.openai.com/codex/cli";
var UPDATE = "npm install -g @openai/codex@latest   (or: brew upgrade codex)";
var REPORT_NEWER = "Please report it so the doctor learns this release: attach `codex-bedrock doctor --report codex-bedrock-report.md` to an issue in the codex-bedrock repository (maintainers: `npm run conformance -- --codex VERSION`). Meanwhile, `--codex-version X` judges the setup by the rules of a release you name.";
var KIND_NAMES = {
  npm: "npm package",
  native: "native binary",
  homebrew: "Homebrew cask",
  "desktop-app": "desktop app bundle",
  "ide-extension": "IDE extension bundle"
};
function describeInstall(install) {
  return `${install.path}${install.resolvedPath ? ` -> ${install.resolvedPath}` : ""} (${KIND_NAMES[install.kind]}${install.onPath ? ", first on PATH" : ""})`;
}
var codexVersion = {
  id: "codex.version",
  title: "Codex version and the rules applied",
  requires: [],
  network: false,
  run({ setup }) {
    const codex = setup.codex;
    const release2 = codex.rules.release;
    const installs = codex.detection.installs.map((install) => `found: ${describeInstall(install)}${install.version ? `, version ${install.version} (from ${install.versionFrom})` : ""}`);
    const rulesLine = `rules applied: Codex ${release2} (${codex.rules.applied.map((rule) => `${rule.behaviour}: ${rule.range}`).join("; ")})`;
    const details = [...installs, rulesLine];
    const facts = {
      version: codex.version,
      versionFrom: codex.versionFrom,
      rulesFor: release2,
      basis: codex.basis,
      path: codex.install?.path ?? null,
      installKind: codex.install?.kind ?? null
    };
    const where = codex.install ? describeInstall(codex.install) : null;
    switch (codex.basis) {
      case "flag": {
        const found = codex.install ? `; the Codex found here is ${codex.install.version ?? "of unknown version"} (${codex.install.path})` : "";
        return { status: "pass", code: "codex.rules-from-flag", summary: `Judged by the rules of Codex ${codex.version} (--codex-version)${found}`, details, facts };
      }
      case "detected":
        return { status: "pass", code: "codex.ok", summary: `Codex ${codex.version}, ${where}; rules for ${release2} applied`, details: [`version from ${codex.versionFrom}`, ...details], facts };
      case "newer-than-known":
        return {
          status: "warn",
          code: "codex.newer-than-known",
          summary: `Codex ${codex.version} (${codex.versionFrom === "--codex-version" ? "--codex-version" : where}) is newer than ${NEWEST_KNOWN_RELEASE}, the newest release this doctor was checked against; judged by the rules of ${NEWEST_KNOWN_RELEASE}, which may have changed`,
          details,
          remediation: REPORT_NEWER,
          docs: DOCS4,
          facts
        };
      case "older-than-supported":
        return {
          status: "fail",
          code: "codex.too-old",
          summary: `Codex ${codex.version} (${codex.versionFrom === "--codex-version" ? "--codex-version" : where}) is older than ${FIRST_BEDROCK_RELEASE}, the first release with the Amazon Bedrock provider; the rest is judged by the rules of ${release2}, which the update installs`,
          details,
          remediation: `Update it: ${UPDATE}`,
          docs: DOCS4,
          facts
        };
      case "version-unknown":
        return {
          status: "warn",
          code: "codex.version-unreadable",
          summary: `Cannot tell which Codex release ${codex.install?.path ?? ""} is: ${codex.versionProblem ?? "no version found"}; judged by the rules of the newest known release, ${release2}`,
          details,
          remediation: `Check that ${codex.install?.path ?? "it"} is the OpenAI Codex CLI (reinstall: ${UPDATE}), or name the release with --codex-version X.`,
          docs: DOCS4,
          facts
        };
      case "not-found":
        return {
          status: "warn",
          code: "codex.not-found",
          summary: `No Codex found (no \`codex\` on PATH, no desktop app or IDE extension bundle); judged by the rules of the newest known release, ${release2}`,
          details: [`searched PATH: ${codex.detection.searchedPath || "(empty)"}`, rulesLine],
          remediation: `To use the CLI with Bedrock, install it: ${UPDATE}. If Codex runs elsewhere (another machine, a container), name its release with --codex-version X.`,
          docs: DOCS4,
          facts
        };
    }
  }
};

// dist/checks/configProvider.js
init_import_meta_url();

// dist/resolve/auth.js
init_import_meta_url();
var import_node_path4 = require("node:path");
var DEFAULT_AUTH_COMMAND_TIMEOUT_MS = 5e3;
function readConfiguredCommand(sourced, withTimeout) {
  const value = sourced.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problem: "it must be a table with a `command` key" };
  const table = value;
  const command2 = table["command"];
  if (typeof command2 !== "string" || command2.trim() === "")
    return { problem: "it has no `command` string" };
  const args = table["args"] ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === "string"))
    return { problem: "`args` must be a list of strings" };
  const timeout = table["timeout_ms"];
  if (withTimeout && timeout !== void 0 && !(typeof timeout === "number" && Number.isInteger(timeout) && timeout > 0))
    return { problem: "`timeout_ms` must be a positive whole number of milliseconds" };
  const configDir = sourced.origin.kind === "config" ? (0, import_node_path4.dirname)(sourced.origin.path) : null;
  const cwdValue = typeof table["cwd"] === "string" ? table["cwd"] : null;
  const cwd = cwdValue !== null ? (0, import_node_path4.isAbsolute)(cwdValue) || !configDir ? cwdValue : (0, import_node_path4.join)(configDir, cwdValue) : configDir;
  return { command: command2, args, timeoutMs: withTimeout ? typeof timeout === "number" ? timeout : DEFAULT_AUTH_COMMAND_TIMEOUT_MS : null, cwd };
}
var BEDROCK_AUTH_MODES = ["bedrockApiKey", "bedrockAccessKeys"];
var KNOWN_AUTH_MODES = ["apikey", "chatgpt", "chatgptAuthTokens", ...BEDROCK_AUTH_MODES];
var text = (value) => typeof value === "string" && value.trim() !== "" ? value : void 0;
function readStoredLogin(read) {
  const login = { path: read.path, read };
  if (read.status === "missing")
    return login;
  if (read.status === "unreadable")
    return { ...login, problem: read.reason };
  let parsed;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return { ...login, problem: "it is not valid JSON, so Codex ignores it" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { ...login, problem: "it is not a JSON object, so Codex ignores it" };
  const record = parsed;
  const mode = record["auth_mode"];
  if (mode !== void 0 && mode !== null && (typeof mode !== "string" || !KNOWN_AUTH_MODES.includes(mode))) {
    return { ...login, problem: `auth_mode ${JSON.stringify(mode)} is not one Codex knows, so Codex silently ignores the file` };
  }
  if (typeof mode === "string" && !BEDROCK_AUTH_MODES.includes(mode))
    return { ...login, authMode: mode };
  const apiKey = record["bedrock_api_key"];
  const keys = record["bedrock_access_keys"];
  const key = text(apiKey?.["api_key"]);
  const accessKeyId = text(keys?.["access_key_id"]);
  const secretAccessKey = text(keys?.["secret_access_key"]);
  const sessionToken = text(keys?.["session_token"]);
  const region = text(apiKey?.["region"]);
  return {
    ...login,
    ...typeof mode === "string" ? { authMode: mode } : {},
    ...key ? { bedrockKey: key, ...region ? { bedrockKeyRegion: region.trim() } : {} } : {},
    ...accessKeyId && secretAccessKey ? { accessKeys: { accessKeyId, secretAccessKey, ...sessionToken ? { sessionToken } : {} } } : {}
  };
}
function planAuth(input) {
  const { env: env3 } = input;
  const credentialExportUsed = input.credentialExportUsed ?? true;
  const bearerVar = env3.sourced("AWS_BEARER_TOKEN_BEDROCK");
  const bearerEnv = bearerVar && codexTrim(bearerVar.value) !== "" ? bearerVar : void 0;
  const emptyBearer = bearerVar && !bearerEnv ? bearerVar.origin : void 0;
  const accessKey = env3.nonEmpty("AWS_ACCESS_KEY_ID");
  const secretKey = env3.nonEmpty("AWS_SECRET_ACCESS_KEY");
  const envKeys = accessKey && secretKey ? accessKey : void 0;
  const awsProfileEnv = env3.nonEmpty("AWS_PROFILE");
  const loginOrigin = { kind: "auth-json", path: input.storedLogin.path };
  const extra = emptyBearer ? { emptyBearerIgnored: emptyBearer } : {};
  const present = [
    { what: `the Bedrock API key stored in ${input.storedLogin.path}`, present: Boolean(input.storedLogin.bedrockKey) },
    { what: `the AWS access keys stored in ${input.storedLogin.path}`, present: Boolean(input.storedLogin.accessKeys) },
    { what: "AWS_BEARER_TOKEN_BEDROCK", present: Boolean(bearerEnv) },
    { what: "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY", present: Boolean(envKeys) }
  ];
  const ignoredExcept = (winner, why) => [
    ...present.filter((p) => p.present && p.what !== winner).map((p) => ({ what: p.what, why })),
    // A profile selected by AWS_PROFILE is IAM credentials too, passed over by anything that wins before the chain.
    ...awsProfileEnv ? [{ what: `AWS_PROFILE=${awsProfileEnv.value}`, why }] : []
  ];
  if (input.authCommand) {
    const command2 = readConfiguredCommand(input.authCommand, true);
    return {
      mode: "command",
      source: "auth-command",
      description: `the auth command configured at model_providers.amazon-bedrock.auth`,
      origin: input.authCommand.origin,
      ..."problem" in command2 ? { commandProblem: command2.problem } : { authCommand: command2 },
      ignored: ignoredExcept("", "a configured auth command takes precedence over every other credential, and Codex never falls back from it"),
      ...extra
    };
  }
  const profileBeatsBearer = input.profileBeatsBearer ?? true;
  const configProfilePlan = () => {
    if (!input.configAwsProfile || typeof input.configAwsProfile.value !== "string")
      return void 0;
    const profile = { value: input.configAwsProfile.value, origin: input.configAwsProfile.origin };
    return {
      mode: "iam",
      source: "aws-profile-config",
      description: `AWS profile "${profile.value}" (model_providers.amazon-bedrock.aws.profile)`,
      origin: profile.origin,
      awsProfile: profile,
      ignored: ignoredExcept("", `model_providers.amazon-bedrock.aws.profile is set, so Codex takes credentials from profile "${profile.value}" only`),
      ...extra
    };
  };
  if (profileBeatsBearer) {
    const plan = configProfilePlan();
    if (plan)
      return plan;
  }
  if (input.credentialExport && credentialExportUsed) {
    const command2 = readConfiguredCommand(input.credentialExport, false);
    return {
      mode: "iam",
      source: "credential-export",
      description: "the credentials printed by model_providers.amazon-bedrock.aws.credential_export",
      origin: input.credentialExport.origin,
      ..."problem" in command2 ? { commandProblem: command2.problem } : { credentialExport: command2 },
      ignored: ignoredExcept("", "aws.credential_export takes precedence over stored, bearer and environment credentials, and Codex never falls back from it"),
      ...extra
    };
  }
  if (input.storedLogin.bedrockKey) {
    const winner = present[0].what;
    return {
      mode: "bearer",
      source: "codex-login",
      description: `the Bedrock API key stored in auth.json`,
      origin: loginOrigin,
      bearerKey: { value: input.storedLogin.bedrockKey, origin: loginOrigin },
      ignored: ignoredExcept(winner, "a Bedrock API key stored in auth.json takes precedence"),
      ...extra
    };
  }
  const storedKeysPlan = () => {
    if (!input.storedLogin.accessKeys)
      return void 0;
    const winner = present[1].what;
    return {
      mode: "iam",
      source: "codex-login-keys",
      description: "the AWS access keys stored in auth.json",
      origin: loginOrigin,
      ignored: ignoredExcept(winner, "AWS access keys stored in auth.json take precedence"),
      ...extra
    };
  };
  const storedKeysBeatBearer = input.storedAccessKeysBeatBearer ?? true;
  if (storedKeysBeatBearer || !bearerEnv) {
    const plan = storedKeysPlan();
    if (plan)
      return plan;
  }
  if (bearerEnv) {
    const profileLoses = !profileBeatsBearer && typeof input.configAwsProfile?.value === "string";
    return {
      mode: "bearer",
      source: "bearer-env",
      description: "the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK",
      origin: bearerEnv.origin,
      bearerKey: bearerEnv,
      ignored: [
        ...ignoredExcept("AWS_BEARER_TOKEN_BEDROCK", "AWS_BEARER_TOKEN_BEDROCK takes precedence over IAM credentials"),
        ...profileLoses ? [{ what: `model_providers.amazon-bedrock.aws.profile = "${String(input.configAwsProfile.value)}"`, why: "this Codex release lets AWS_BEARER_TOKEN_BEDROCK win over aws.profile (later releases use the profile)" }] : []
      ].map((item) => !storedKeysBeatBearer && item.what === present[1].what ? { ...item, why: "this Codex release lets AWS_BEARER_TOKEN_BEDROCK win over access keys stored in auth.json (0.150.0 and later use the stored keys)" } : item),
      ...extra
    };
  }
  if (!profileBeatsBearer) {
    const plan = configProfilePlan();
    if (plan)
      return plan;
  }
  if (envKeys) {
    const ignored = awsProfileEnv ? [{ what: `AWS_PROFILE=${awsProfileEnv.value}`, why: "Codex uses AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY before any profile" }] : [];
    return {
      mode: "iam",
      source: "env-keys",
      description: "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
      origin: envKeys.origin,
      ignored,
      ...extra
    };
  }
  return {
    mode: "iam",
    source: "sdk-chain",
    description: awsProfileEnv ? `the AWS credential chain with profile "${awsProfileEnv.value}"` : "the AWS default credential chain",
    origin: awsProfileEnv?.origin ?? { kind: "default", note: "AWS SDK default credential chain" },
    ...awsProfileEnv ? { awsProfile: awsProfileEnv } : {},
    ignored: [],
    ...extra
  };
}
function authConfigRefusal(lookup, knows = { auth: true, credentialExport: true, authRefresh: true }) {
  const where = (sourced) => describeOrigin(sourced.origin);
  const auth = lookup(["auth"]);
  const aws = lookup(["aws"]);
  if (knows.auth && auth && aws) {
    return {
      code: "config.auth-with-aws",
      summary: `an auth command (${where(lookup(["auth", "command"]) ?? auth)}) cannot be combined with [model_providers.amazon-bedrock.aws] (${where(aws)}), even an empty one`,
      codexSays: "model_providers.amazon-bedrock: provider aws cannot be combined with auth",
      remediation: "Keep either the auth command or the aws table under model_providers.amazon-bedrock (remove the other, empty headers included); with an auth command, set the region through AWS_REGION."
    };
  }
  const exporter = lookup(["aws", "credential_export"]);
  const profile = lookup(["aws", "profile"]);
  if (knows.credentialExport && exporter && profile) {
    return {
      code: "config.credential-export-with-profile",
      summary: `aws.credential_export (${where(exporter)}) cannot be combined with aws.profile (${where(profile)})`,
      codexSays: "model_providers.amazon-bedrock.aws: credential_export cannot be combined with profile",
      remediation: "Keep either aws.profile (credentials from that AWS profile) or aws.credential_export (credentials printed by your command), not both."
    };
  }
  const refresh = lookup(["aws", "auth_refresh"]);
  const refreshCommand = refresh && typeof refresh.value === "object" && refresh.value !== null ? refresh.value["command"] : void 0;
  if (knows.authRefresh && refresh && refreshCommand !== "aws") {
    return {
      code: "config.auth-refresh-command",
      summary: `aws.auth_refresh (${where(refresh)}) has command = ${JSON.stringify(refreshCommand ?? null)}; Codex only accepts "aws"`,
      codexSays: "model_providers.amazon-bedrock.aws.auth_refresh.command must be `aws`",
      remediation: 'Set command = "aws" under [model_providers.amazon-bedrock.aws.auth_refresh] (its args then name the aws CLI login command), or remove auth_refresh.'
    };
  }
  return null;
}

// dist/resolve/config.js
init_import_meta_url();
var import_parse_string = __toESM(require_parse_string(), 1);

// dist/resolve/tomlLines.js
init_import_meta_url();
var BARE_KEY = /^[A-Za-z0-9_-]+/;
function splitKeyPath(source) {
  const parts = [];
  let rest = source.trim();
  while (rest.length > 0) {
    let part;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const quote = rest[0];
      const end = rest.indexOf(quote, 1);
      if (end < 0)
        return null;
      part = rest.slice(1, end);
      rest = rest.slice(end + 1).trimStart();
    } else {
      const match = BARE_KEY.exec(rest);
      if (!match)
        return null;
      part = match[0];
      rest = rest.slice(part.length).trimStart();
    }
    parts.push(part);
    if (rest.length === 0)
      break;
    if (!rest.startsWith("."))
      return null;
    rest = rest.slice(1).trimStart();
  }
  return parts.length > 0 ? parts : null;
}
function countOccurrences(haystack, needle) {
  return haystack.split(needle).length - 1;
}
function scanToml(text2) {
  const headers = [];
  const keys = [];
  let current = null;
  let multilineDelimiter = null;
  const lines = text2.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (multilineDelimiter) {
      if (countOccurrences(raw, multilineDelimiter) % 2 === 1)
        multilineDelimiter = null;
      return;
    }
    const line = raw.trim();
    if (line === "" || line.startsWith("#"))
      return;
    const header2 = /^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header2) {
      const path = splitKeyPath(header2[1]);
      if (path) {
        current = { path, line: lineNumber, text: line.replace(/\s*#.*$/, "") };
        headers.push(current);
      }
      return;
    }
    const equals = line.indexOf("=");
    if (equals <= 0)
      return;
    const keyPath = splitKeyPath(line.slice(0, equals));
    if (!keyPath)
      return;
    const base = current ? current.path : [];
    keys.push({ path: [...base, ...keyPath], line: lineNumber, header: current });
    const value = line.slice(equals + 1);
    for (const delimiter of ['"""', "'''"]) {
      if (countOccurrences(value, delimiter) % 2 === 1)
        multilineDelimiter = delimiter;
    }
  });
  return { headers, keys };
}
function samePath(a, b) {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
function lineOfKey(layout, path) {
  return layout.keys.find((key) => samePath(key.path, path))?.line ?? layout.headers.find((header2) => samePath(header2.path, path))?.line;
}
function formatKeyPath(path) {
  return path.map((part) => /^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part)).join(".");
}

// dist/resolve/config.js
var EMPTY_LAYOUT = { headers: [], keys: [] };
var MAX_TOML_DEPTH = 80;
var TOO_DEEP = `it nests tables, arrays or dotted keys more than ${MAX_TOML_DEPTH} levels deep (Codex's TOML parser refuses that too)`;
function nestsTooDeep(root) {
  const pending = [[root, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop();
    if (depth > MAX_TOML_DEPTH)
      return true;
    if (Array.isArray(value))
      value.forEach((item) => pending.push([item, depth + 1]));
    else if (isTable2(value))
      Object.values(value).forEach((item) => pending.push([item, depth + 1]));
  }
  return false;
}
function isTable2(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
function parseCliOverride(raw) {
  const equals = raw.indexOf("=");
  if (equals < 0)
    return { error: `invalid override (missing '='): expected KEY=VALUE, e.g. -c model="openai.gpt-5.5"` };
  const key = raw.slice(0, equals).trim();
  if (key === "")
    return { error: `invalid override (empty key before '='): expected KEY=VALUE` };
  if (key.split(".").length > MAX_TOML_DEPTH)
    return { error: `invalid override: the key has more than ${MAX_TOML_DEPTH} dotted parts` };
  const valueSource = raw.slice(equals + 1).trim();
  let value;
  try {
    value = (0, import_parse_string.default)(`_x_ = ${valueSource}`)["_x_"];
  } catch {
    value = valueSource.replace(/^["']+|["']+$/g, "");
  }
  if (nestsTooDeep(value))
    return { error: `invalid override: the value ${TOO_DEEP}` };
  return { raw, path: key.split("."), value };
}
function setPath(table, path, value) {
  let cursor = table;
  path.slice(0, -1).forEach((part) => {
    if (!isTable2(cursor[part]))
      cursor[part] = {};
    cursor = cursor[part];
  });
  cursor[path[path.length - 1]] = value;
}
function cliLayer(overrides) {
  const table = {};
  overrides.forEach((override) => setPath(table, override.path, override.value));
  return { name: "cli", path: "-c", status: "ok", table, layout: EMPTY_LAYOUT, overrides };
}
function syntaxMessage(error) {
  const message2 = error instanceof Error ? error.message : String(error);
  return message2.split(/ at row \d+|\n/)[0].trim();
}
function fileLayer(name, path, readFile) {
  const read = readFile(path);
  if (read.status === "missing") {
    return { name, path, status: "missing", problem: { kind: "missing", message: "file not found" }, table: {}, layout: EMPTY_LAYOUT };
  }
  if (read.status === "unreadable") {
    return { name, path, status: "error", problem: { kind: "unreadable", message: read.reason }, table: {}, layout: EMPTY_LAYOUT };
  }
  try {
    const table = (0, import_parse_string.default)(read.text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n"));
    if (nestsTooDeep(table))
      return { name, path, status: "error", problem: { kind: "syntax", message: TOO_DEEP }, table: {}, layout: EMPTY_LAYOUT, text: read.text };
    return { name, path, status: "ok", table, layout: scanToml(read.text), text: read.text };
  } catch (error) {
    if (error instanceof RangeError)
      return { name, path, status: "error", problem: { kind: "syntax", message: TOO_DEEP }, table: {}, layout: EMPTY_LAYOUT, text: read.text };
    const position = error;
    return {
      name,
      path,
      status: "error",
      problem: {
        kind: "syntax",
        message: syntaxMessage(error),
        ...typeof position.line === "number" ? { line: position.line + 1 } : {},
        ...typeof position.col === "number" ? { column: position.col + 1 } : {}
      },
      table: {},
      layout: EMPTY_LAYOUT,
      text: read.text
    };
  }
}
function legacyProfileLayer(user, name) {
  const tablePath = ["profiles", name];
  const table = user.status === "ok" ? valueAt(user.table, tablePath) : void 0;
  if (!isTable2(table)) {
    return { name: "profile", path: user.path, status: "missing", problem: { kind: "missing", message: `no [profiles.${name}] table` }, table: {}, layout: EMPTY_LAYOUT, tablePath };
  }
  return { name: "profile", path: user.path, status: "ok", table, layout: user.layout, tablePath };
}
function valueAt(table, path) {
  let cursor = table;
  for (const part of path) {
    if (!isTable2(cursor))
      return void 0;
    cursor = cursor[part];
  }
  return cursor;
}
function layerOrigin(layer, path) {
  if (layer.name === "cli") {
    const key = formatKeyPath(path);
    const holds = (o) => o.path.length <= path.length && o.path.every((part, i) => part === path[i]);
    const override = [...layer.overrides ?? []].reverse().find(holds);
    return { kind: "cli-override", flag: `-c ${override ? override.path.join(".") : key}` };
  }
  const line = lineOfKey(layer.layout, [...layer.tablePath ?? [], ...path]);
  return { kind: "config", layer: layer.name, path: layer.path, ...line ? { line } : {} };
}
function lookupConfig(layers, path) {
  for (const layer of [...layers].reverse()) {
    if (layer.status !== "ok")
      continue;
    const value = valueAt(layer.table, path);
    if (value !== void 0)
      return { value, origin: layerOrigin(layer, path) };
  }
  return void 0;
}
function allConfigValues(layers, path) {
  return [...layers].reverse().filter((layer) => layer.status === "ok" && valueAt(layer.table, path) !== void 0).map((layer) => ({ value: valueAt(layer.table, path), origin: layerOrigin(layer, path) }));
}
function keysUnder(layers, path) {
  const found = [];
  const walk = (layer, table, prefix) => {
    Object.entries(table).forEach(([key, value]) => {
      const keyPath = [...prefix, key];
      if (isTable2(value))
        walk(layer, value, keyPath);
      else
        found.push({ key: keyPath.slice(path.length), origin: layerOrigin(layer, keyPath) });
    });
  };
  layers.forEach((layer) => {
    if (layer.status !== "ok")
      return;
    const table = valueAt(layer.table, path);
    if (isTable2(table))
      walk(layer, table, [...path]);
  });
  return found;
}

// dist/resolve/setup.js
init_import_meta_url();
var import_node_path6 = require("node:path");

// dist/platform.js
init_import_meta_url();
function managedConfigPath(facts, codexHome) {
  return facts.os === "win32" ? `${codexHome.replace(/[\\/]+$/, "")}\\managed_config.toml` : "/etc/codex/managed_config.toml";
}
var CI_VARIABLES = ["GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "TF_BUILD", "JENKINS_URL", "TEAMCITY_VERSION", "CODEBUILD_BUILD_ID", "BITBUCKET_BUILD_NUMBER", "TRAVIS", "APPVEYOR", "DRONE"];
function isContinuousIntegration(env3) {
  const ci = env3["CI"]?.trim().toLowerCase();
  if (ci !== void 0 && ci !== "" && ci !== "false" && ci !== "0")
    return true;
  return CI_VARIABLES.some((name) => (env3[name] ?? "") !== "");
}
function variable(facts, env3, name) {
  if (facts.os !== "win32")
    return env3[name];
  const key = Object.keys(env3).find((candidate) => candidate.toUpperCase() === name);
  return key === void 0 ? void 0 : env3[key];
}
function platformFacts(os2) {
  if (os2 === "win32")
    return { os: "win32", posixModes: false };
  return { os: os2 === "linux" || os2 === "darwin" ? os2 : "other", posixModes: true };
}
function homeFolder(facts, env3, fallback) {
  return env3["HOME"] || (facts.os === "win32" ? variable(facts, env3, "USERPROFILE") : void 0) || fallback;
}
function currentPlatform() {
  return platformFacts(process.platform);
}

// dist/resolve/projectConfig.js
init_import_meta_url();
var import_node_path5 = require("node:path");
var PROJECT_DROPPED_KEYS = ["model_provider", "model_providers"];
function findRoot(cwd, directoryState2) {
  for (let folder = cwd; ; folder = (0, import_node_path5.dirname)(folder)) {
    if (directoryState2((0, import_node_path5.join)(folder, ".git")) !== "missing")
      return folder;
    if ((0, import_node_path5.dirname)(folder) === folder)
      return null;
  }
}
function discoverProjectConfig(input) {
  const cwd = (0, import_node_path5.resolve)(input.cwd);
  const root = findRoot(cwd, input.directoryState);
  const trustOf = (folder) => lookupConfig(input.trustLayers, ["projects", folder, "trust_level"])?.value;
  const trusted = trustOf(root ?? cwd) === "trusted";
  const folders = [];
  for (let folder = cwd; ; folder = (0, import_node_path5.dirname)(folder)) {
    folders.unshift(folder);
    if (root === null || folder === root || (0, import_node_path5.dirname)(folder) === folder)
      break;
  }
  const present = folders.map((folder) => ({ folder, path: (0, import_node_path5.join)(folder, ".codex", "config.toml") })).filter(({ path }) => (0, import_node_path5.resolve)(path) !== (0, import_node_path5.resolve)(input.userConfigPath) && input.readFile(path).status !== "missing");
  const loads = ({ folder }) => trusted || trustOf(folder) === "trusted";
  const untrustedFiles = present.filter((file) => !loads(file)).map(({ path }) => path);
  const layers = present.filter(loads).map(({ path }) => {
    const layer = fileLayer("project", path, input.readFile);
    const dropped = PROJECT_DROPPED_KEYS.filter((key) => layer.table[key] !== void 0);
    if (dropped.length === 0)
      return layer;
    const table = Object.fromEntries(Object.entries(layer.table).filter(([key]) => !PROJECT_DROPPED_KEYS.includes(key)));
    return { ...layer, table: isTable2(table) ? table : {}, dropped };
  });
  return { cwd, root, trusted, untrustedFiles, layers };
}

// dist/resolve/environment.js
init_import_meta_url();

// dist/resolve/dotenv.js
init_import_meta_url();
var MAX_EXPANDED_VALUE_CHARS = 64 * 1024;
var MAX_EXPANDED_TOTAL_CHARS = 1024 * 1024;
var WS2 = new RegExp("^\\p{White_Space}$", "u");
var ALNUM = /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]$/u;
var trimStart = (s) => s.replace(new RegExp("^\\p{White_Space}+", "u"), "");
var trimEnd = (s) => {
  let end = s.length;
  while (end > 0 && WS2.test(s[end - 1]))
    end--;
  return s.slice(0, end);
};
var LineError = class {
  message;
  constructor(message2) {
    this.message = message2;
  }
};
var ExpansionTooLarge = class {
  key = "?";
};
function evalEndState(prev, chunk) {
  let state = prev;
  let pos = 0;
  for (let i = 0; i < chunk.length; ) {
    const c = String.fromCodePoint(chunk.codePointAt(i) ?? 0);
    pos = i;
    const opener = c === "\\" ? "Escape" : c === '"' ? "WeakOpen" : c === "'" ? "StrongOpen" : null;
    switch (state) {
      // Only a '#' right after ONE blank starts a comment here: in WhiteSpace any other
      // char (even a second space) returns to Complete. So `A=1  # it's` opens a quote.
      case "WhiteSpace":
        if (c === "#")
          return [pos, "Comment"];
        state = opener ?? "Complete";
        break;
      case "Escape":
        state = "Complete";
        break;
      case "Complete":
        state = WS2.test(c) && c !== "\n" && c !== "\r" ? "WhiteSpace" : opener ?? "Complete";
        break;
      case "WeakOpen":
        state = c === "\\" ? "WeakOpenEscape" : c === '"' ? "Complete" : "WeakOpen";
        break;
      case "WeakOpenEscape":
        state = "WeakOpen";
        break;
      case "StrongOpen":
        state = c === "\\" ? "StrongOpenEscape" : c === "'" ? "Complete" : "StrongOpen";
        break;
      case "StrongOpenEscape":
        state = "StrongOpen";
        break;
      case "Comment":
        return [pos, "Comment"];
    }
    i += c.length;
  }
  return [pos, state];
}
function* quotedLines(text2) {
  const chunks = text2.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let i = 0;
  while (i < chunks.length) {
    const line = i + 1;
    const parts = [];
    let state = "Complete";
    let comment = null;
    for (; ; ) {
      if (i >= chunks.length) {
        yield { line, text: parts.join(""), eof: { state, lastLine: i } };
        break;
      }
      const chunk = chunks[i++];
      parts.push(chunk);
      if (comment === null) {
        const rest = trimStart(chunk);
        if (rest !== "")
          comment = rest.startsWith("#");
      }
      if (comment) {
        yield { line, text: "" };
        break;
      }
      const [pos, next] = evalEndState(state, chunk);
      state = next;
      if (state === "Complete") {
        let buf = parts.join("");
        if (buf.endsWith("\n")) {
          buf = buf.slice(0, -1);
          if (buf.endsWith("\r"))
            buf = buf.slice(0, -1);
        }
        yield { line, text: buf };
        break;
      }
      if (state === "Comment") {
        parts[parts.length - 1] = chunk.slice(0, pos);
        yield { line, text: parts.join("") };
        break;
      }
    }
  }
}
function eofReason(state, first, last) {
  const span = first === last ? `line ${first}` : `lines ${first}-${last}`;
  switch (state) {
    case "WeakOpen":
    case "WeakOpenEscape":
      return `unterminated double quote: everything to the end of the file (${span}) is dropped`;
    case "StrongOpen":
    case "StrongOpenEscape":
      return `unterminated single quote (an apostrophe outside double quotes opens one, even in some trailing comments): everything to the end of the file (${span}) is dropped`;
    case "Escape":
      return "the last line ends with a backslash and has no final newline";
    default:
      return "the last line ends with a space or tab and has no final newline, which dotenvy treats as unfinished";
  }
}
function parseLine(original, subst, env3, budget) {
  let line = trimEnd(original);
  const skipWs = () => {
    line = trimStart(line);
  };
  const parseKey = (afterExport) => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(line);
    if (m) {
      line = line.slice(m[0].length);
      return m[0];
    }
    if (line.startsWith("\uFEFF")) {
      throw new LineError("starts with a UTF-8 byte order mark (BOM), which Codex does not strip, so this line is lost; re-save the file as UTF-8 without BOM");
    }
    if (afterExport)
      throw new LineError("invalid or missing key name after 'export'");
    throw new LineError(line.startsWith("=") ? "no key before '='" : "invalid key name: a key must start with a letter or '_'");
  };
  const expectEqual = () => {
    if (!line.startsWith("="))
      return false;
    line = line.slice(1);
    return true;
  };
  const noEqual = () => new LineError("no '=' after key (a key may contain only letters, digits, '_' and '.')");
  skipWs();
  if (line === "" || line.startsWith("#"))
    return null;
  if (!/^[A-Za-z_\uFEFF=]/.test(line))
    return new LineError("invalid key name: a key must start with a letter or '_'");
  let key = parseKey(false);
  skipWs();
  if (key === "export") {
    if (!expectEqual()) {
      key = parseKey(true);
      skipWs();
      if (!expectEqual())
        throw noEqual();
    }
  } else if (!expectEqual())
    throw noEqual();
  skipWs();
  if (line === "" || line.startsWith("#")) {
    subst.set(key, void 0);
    return [key, ""];
  }
  let value;
  try {
    value = parseValue(line, subst, env3, budget);
  } catch (error) {
    if (error instanceof ExpansionTooLarge)
      error.key = key;
    throw error;
  }
  subst.set(key, value);
  return [key, value];
}
function parseValue(input, subst, env3, budget) {
  let strong = false;
  let weak = false;
  let escaped = false;
  let expectingEnd = false;
  let quoteSwallowed = false;
  let mode = "None";
  let name = "";
  let out = "";
  const apply = () => {
    const piece = env3(name) ?? subst.get(name) ?? "";
    if (out.length + piece.length > MAX_EXPANDED_VALUE_CHARS || piece.length > budget.chars)
      throw new ExpansionTooLarge();
    budget.chars -= piece.length;
    out += piece;
    name = "";
  };
  for (const c of input) {
    if (expectingEnd) {
      if (c === " " || c === "	")
        continue;
      if (c === "#")
        break;
      throw new LineError("unquoted value contains a space or tab; wrap the value in quotes");
    } else if (escaped) {
      if (c === "\\" || c === "'" || c === '"' || c === "$" || c === " ")
        out += c;
      else if (c === "n")
        out += "\n";
      else
        throw new LineError(`unsupported backslash escape (only \\\\, \\', \\", \\$, \\n and backslash-space are allowed)`);
      escaped = false;
    } else if (strong) {
      if (c === "'")
        strong = false;
      else
        out += c;
    } else if (mode !== "None") {
      if (ALNUM.test(c))
        name += c;
      else if (mode === "Block") {
        if (c === "{" && name === "")
          mode = "EscapedBlock";
        else {
          apply();
          if (c === "$")
            mode = "Block";
          else {
            mode = "None";
            out += c;
            if (c === '"' && weak)
              quoteSwallowed = true;
          }
        }
      } else if (c === "}") {
        mode = "None";
        apply();
      } else
        name += c;
    } else if (c === "$") {
      mode = "Block";
    } else if (weak) {
      if (c === '"')
        weak = false;
      else if (c === "\\")
        escaped = true;
      else
        out += c;
    } else if (c === "'")
      strong = true;
    else if (c === '"')
      weak = true;
    else if (c === "\\")
      escaped = true;
    else if (c === " " || c === "	")
      expectingEnd = true;
    else
      out += c;
  }
  if (mode === "EscapedBlock")
    throw new LineError("unterminated ${...} substitution");
  if (weak) {
    throw new LineError(quoteSwallowed ? "unterminated double quote: a $NAME right before the closing quote swallows it in dotenvy; write ${NAME}" : "unterminated double quote");
  }
  if (strong)
    throw new LineError("unterminated single quote");
  apply();
  return out;
}
function parseDotenv(text2, lookup) {
  const result = { entries: [], dropped: [], ignoredCodexKeys: [], oversized: [] };
  const budget = { chars: MAX_EXPANDED_TOTAL_CHARS };
  const subst = /* @__PURE__ */ new Map();
  const applied = /* @__PURE__ */ new Map();
  const env3 = (name) => name === "" || name.includes("\0") ? void 0 : applied.has(name) ? applied.get(name) : lookup(name);
  for (const logical of quotedLines(text2)) {
    if (logical.eof) {
      if (trimStart(logical.text) !== "") {
        result.dropped.push({ line: logical.line, reason: eofReason(logical.eof.state, logical.line, logical.eof.lastLine) });
      }
      continue;
    }
    let parsed;
    try {
      parsed = parseLine(logical.text, subst, env3, budget);
    } catch (err) {
      if (err instanceof ExpansionTooLarge) {
        result.oversized.push({ key: err.key, line: logical.line });
        continue;
      }
      if (!(err instanceof LineError))
        throw err;
      result.dropped.push({ line: logical.line, reason: err.message });
      continue;
    }
    if (parsed instanceof LineError) {
      result.dropped.push({ line: logical.line, reason: parsed.message });
      continue;
    }
    if (!parsed)
      continue;
    const [key, value] = parsed;
    if (key.toUpperCase().startsWith("CODEX_")) {
      result.ignoredCodexKeys.push({ key, line: logical.line });
    } else {
      result.entries.push({ key, value, line: logical.line });
      applied.set(key, value);
    }
  }
  return result;
}

// dist/resolve/environment.js
var EffectiveEnvironment = class {
  shell;
  dotenv;
  values = /* @__PURE__ */ new Map();
  constructor(shell, dotenv) {
    this.shell = shell;
    this.dotenv = dotenv;
    Object.entries(shell).forEach(([name, value]) => {
      if (value !== void 0)
        this.values.set(name, { value, origin: { kind: "env", name, from: "shell" } });
    });
    dotenv.parse?.entries.forEach((entry) => {
      this.values.set(entry.key, {
        value: entry.value,
        origin: { kind: "env", name: entry.key, from: "dotenv", path: dotenv.path, line: entry.line }
      });
    });
  }
  get(name) {
    return this.values.get(name)?.value;
  }
  /** The variable with where it came from; undefined when unset. */
  sourced(name) {
    return this.values.get(name);
  }
  /** Set and non-empty after trimming: how Codex and the AWS SDKs treat most AWS_* variables. */
  nonEmpty(name) {
    const found = this.values.get(name);
    return found && found.value.trim() !== "" ? found : void 0;
  }
  originOf(name) {
    return this.values.get(name)?.origin;
  }
  /** A plain object for code that must hand an environment to the AWS SDK or a child process. */
  toRecord() {
    return Object.fromEntries([...this.values].map(([name, sourced]) => [name, sourced.value]));
  }
};
function salvageNonUtf8(read, readBytes) {
  const raw = read.status === "unreadable" && readBytes ? readBytes(read.path) : null;
  if (!raw || raw.bytes.includes(0))
    return { read, nonUtf8Lines: [] };
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const nonUtf8Lines = [];
  const lines = [];
  let start = 0;
  for (let index = 0; index <= raw.bytes.length; index += 1) {
    if (index < raw.bytes.length && raw.bytes[index] !== 10)
      continue;
    try {
      lines.push(decoder.decode(raw.bytes.subarray(start, index)));
    } catch {
      nonUtf8Lines.push(lines.length + 1);
      lines.push("");
    }
    start = index + 1;
  }
  return { read: { status: "ok", path: read.path, text: lines.join("\n"), mode: raw.mode, size: raw.bytes.length }, nonUtf8Lines };
}
function loadEffectiveEnvironment(shell, rawRead, readBytes) {
  const { read: dotenvRead, nonUtf8Lines } = salvageNonUtf8(rawRead, readBytes);
  const parsed = dotenvRead.status === "ok" ? parseDotenv(dotenvRead.text, (name) => shell[name]) : null;
  const parse2 = parsed && nonUtf8Lines.length > 0 ? { ...parsed, dropped: [...parsed.dropped, ...nonUtf8Lines.map((line) => ({ line, reason: "not valid UTF-8 text" }))].sort((a, b) => a.line - b.line) } : parsed;
  const finalValues = /* @__PURE__ */ new Map();
  parse2?.entries.forEach((entry) => finalValues.set(entry.key, entry.value));
  const overriddenShellKeys = [...finalValues].filter(([key, value]) => shell[key] !== void 0 && shell[key] !== value).map(([key]) => key);
  return new EffectiveEnvironment(shell, { path: dotenvRead.path, read: dotenvRead, parse: parse2, overriddenShellKeys });
}

// dist/resolve/region.js
init_import_meta_url();
var trimmedOrUnset = (value) => value.trim() === "" ? null : value.trim();
function configCandidate(config) {
  const value = typeof config.value === "string" ? trimmedOrUnset(config.value) : config.value;
  return {
    sourceName: "model_providers.amazon-bedrock.aws.region",
    written: config.value,
    value,
    origin: config.origin,
    ...value === null ? { ignoredBecause: "it is empty, and Codex treats an empty aws.region as unset" } : {}
  };
}
function resolveRegion(inputs) {
  const { rule, env: env3 } = inputs;
  const candidates = [];
  if (rule === "stored-key") {
    const stored = inputs.storedKeyRegion;
    if (stored)
      candidates.push({ sourceName: "region stored with the key in auth.json", written: stored.value, value: trimmedOrUnset(stored.value), origin: stored.origin });
    const winner2 = candidates.find((c) => c.value !== null);
    return {
      effective: winner2 ? { value: winner2.value, written: winner2.written, origin: winner2.origin } : null,
      candidates,
      tried: ["the region stored with the Bedrock API key in auth.json (Codex uses no other source for a stored key)"],
      rule
    };
  }
  const config = inputs.configRegion;
  if (config)
    candidates.push(configCandidate(config));
  if (rule === "bearer-config-only") {
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
      const sourced = env3.sourced(name);
      if (sourced)
        candidates.push({ sourceName: name, written: sourced.value, value: null, origin: sourced.origin, ignoredBecause: "this Codex release reads the region of a Bedrock API key only from aws.region in its config" });
    }
    const winner2 = candidates.find((c) => c.value !== null);
    return {
      effective: winner2 ? { value: winner2.value, written: winner2.written, origin: winner2.origin } : null,
      candidates,
      tried: ["model_providers.amazon-bedrock.aws.region in the Codex config (this Codex release reads no other source for a Bedrock API key)"],
      rule
    };
  }
  const tried = ["model_providers.amazon-bedrock.aws.region in the Codex config", "AWS_REGION", "AWS_DEFAULT_REGION"];
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const sourced = env3.sourced(name);
    if (!sourced)
      continue;
    if (rule === "bearer") {
      const value = trimmedOrUnset(sourced.value);
      candidates.push({
        sourceName: name,
        written: sourced.value,
        value,
        origin: sourced.origin,
        ...value === null ? { ignoredBecause: "it is empty, and on the bearer-key path Codex treats an empty value as unset" } : {}
      });
    } else {
      candidates.push({ sourceName: name, written: sourced.value, value: sourced.value, origin: sourced.origin });
    }
  }
  if (rule === "aws-sdk") {
    tried.push(`region of AWS profile "${inputs.profileRegion.profile}" in the shared config file`);
    const profile = inputs.profileRegion.sourced;
    if (profile)
      candidates.push({ sourceName: `profile ${inputs.profileRegion.profile} region`, written: profile.value, value: profile.value.trim(), origin: profile.origin });
  }
  const winner = candidates.find((candidate) => candidate.value !== null);
  return { effective: winner ? { value: winner.value, written: winner.written, origin: winner.origin } : null, candidates, tried, rule };
}

// dist/resolve/setup.js
var BEDROCK_PROVIDER_ID = "amazon-bedrock";
var PROVIDER_TABLE = ["model_providers", BEDROCK_PROVIDER_ID];
function noCodexFound(searchedPath = "") {
  return releaseOf({ searchedPath, installs: [] }, null, null, null, "not-found");
}
var UsageError = class extends Error {
};
function parseOverrides(raw) {
  return raw.map((entry, index) => {
    const parsed = parseCliOverride(entry);
    if ("error" in parsed)
      throw new UsageError(`-c #${index + 1}: ${parsed.error}`);
    return parsed;
  });
}
function resolveCodexHome(inputs) {
  const fromEnv = inputs.shellEnv["CODEX_HOME"];
  const [path, origin] = inputs.codexHomeFlag ? [inputs.codexHomeFlag, { kind: "cli-override", flag: "--codex-home" }] : fromEnv ? [fromEnv, { kind: "env", name: "CODEX_HOME", from: "shell" }] : [(0, import_node_path6.join)(inputs.homeDir, ".codex"), { kind: "default", note: "default (~/.codex)" }];
  return { path, origin, state: inputs.directoryState(path) };
}
function resolveSetup(inputs) {
  const overrides = parseOverrides(inputs.configOverrides);
  const codexHome = resolveCodexHome(inputs);
  const env3 = loadEffectiveEnvironment(inputs.shellEnv, inputs.readFile((0, import_node_path6.join)(codexHome.path, ".env")), inputs.readBytes);
  const codex = inputs.codex ?? noCodexFound(inputs.shellEnv["PATH"] ?? "");
  const rules = codex.rules.behaviour;
  const userConfigPath = (0, import_node_path6.join)(codexHome.path, "config.toml");
  const user = fileLayer("user", userConfigPath, inputs.readFile);
  const layers = [user];
  const legacyDefault = rules.profileFlag === "legacy-table" && typeof user.table["profile"] === "string" ? user.table["profile"] : void 0;
  const profileName = inputs.profile ?? legacyDefault;
  if (profileName) {
    layers.push(rules.profileFlag === "profile-file" ? fileLayer("profile", (0, import_node_path6.join)(codexHome.path, `${profileName}.config.toml`), inputs.readFile) : legacyProfileLayer(user, profileName));
  }
  const cli = overrides.length > 0 ? [cliLayer(overrides)] : [];
  const project = inputs.cwd === void 0 ? null : discoverProjectConfig({ cwd: inputs.cwd, readFile: inputs.readFile, directoryState: inputs.directoryState, trustLayers: [...layers, ...cli], userConfigPath });
  layers.push(...project?.layers ?? [], ...cli);
  const managed = fileLayer("managed", inputs.managedConfigPath, inputs.readFile);
  if (managed.status !== "missing")
    layers.push(managed);
  const provider = lookupConfig(layers, ["model_provider"]) ?? null;
  const providerKey = (key) => lookupConfig(layers, [...PROVIDER_TABLE, ...key]);
  const baseUrl = providerKey(["base_url"]) ?? null;
  const configAwsProfile = providerKey(["aws", "profile"]);
  const storedLogin = storedLoginForRelease(readStoredLogin(inputs.readFile((0, import_node_path6.join)(codexHome.path, "auth.json"))), rules);
  const auth = planAuth({
    authCommand: providerKey(["auth"]),
    configAwsProfile,
    credentialExport: providerKey(["aws", "credential_export"]),
    storedLogin,
    env: env3,
    profileBeatsBearer: rules.profileBeatsBearer,
    storedAccessKeysBeatBearer: rules.storedAccessKeys === "before-bearer-key",
    credentialExportUsed: rules.credentialExport === "used"
  });
  const awsPaths = awsSharedFilePaths(env3, inputs.homeDir);
  const awsConfig = parseAwsIni(inputs.readFile(awsPaths.config), "config");
  const awsCredentials = parseAwsIni(inputs.readFile(awsPaths.credentials), "credentials");
  const chainProfile = auth.mode === "iam" && ["aws-profile-config", "sdk-chain"].includes(auth.source) ? auth.awsProfile?.value ?? "default" : null;
  const ssoCache = chainProfile === null ? null : readSsoCacheFor(resolveProfileChain(awsConfig, awsCredentials, chainProfile), env3.get("HOME") || inputs.homeDir, inputs.readFile);
  const awsProfileName = auth.awsProfile?.value ?? env3.nonEmpty("AWS_PROFILE")?.value ?? "default";
  const profileRegionEntry = mergedProfile(awsConfig, awsCredentials, awsProfileName)?.get("region");
  const loginOrigin = { kind: "auth-json", path: storedLogin.path };
  const region = resolveRegion({
    rule: auth.source === "codex-login" ? "stored-key" : auth.mode === "bearer" ? rules.bearerRegionFromEnv ? "bearer" : "bearer-config-only" : "aws-sdk",
    configRegion: providerKey(["aws", "region"]),
    env: env3,
    profileRegion: {
      profile: awsProfileName,
      sourced: profileRegionEntry ? { value: profileRegionEntry.value, origin: { kind: "aws-config", path: profileRegionEntry.path, profile: awsProfileName, line: profileRegionEntry.line } } : void 0
    },
    storedKeyRegion: storedLogin.bedrockKeyRegion ? { value: storedLogin.bedrockKeyRegion, origin: loginOrigin } : void 0
  });
  const model = resolveModel(inputs.modelFlag, layers, codex);
  const endpoint = resolveEndpoint(baseUrl, region);
  return {
    codexHome,
    env: env3,
    profileName: profileName ?? null,
    layers,
    project,
    ssoCache,
    provider,
    baseUrl,
    model,
    region,
    auth,
    storedLogin,
    awsConfig,
    awsCredentials,
    endpoint,
    codex,
    profileSource: rules.profileFlag,
    platform: inputs.platform ?? LINUX
  };
}
var LINUX = platformFacts("linux");
function storedLoginForRelease(login, rules) {
  const { bedrockKey: _key, bedrockKeyRegion: _region, ...withoutKey } = login;
  const known = rules.storedApiKey === "used" ? login : withoutKey;
  const { accessKeys: _keys, ...withoutAccessKeys } = known;
  return rules.storedAccessKeys === "unknown" ? withoutAccessKeys : known;
}
function resolveModel(modelFlag, layers, codex) {
  if (modelFlag !== void 0)
    return { value: modelFlag, origin: { kind: "cli-override", flag: "--model" } };
  const configured = lookupConfig(layers, ["model"]);
  if (configured && typeof configured.value === "string")
    return { value: configured.value, origin: configured.origin };
  const whose = codex.basis === "not-found" || codex.basis === "version-unknown" ? `Codex ${codex.rules.release} (newest known)` : `Codex ${codex.rules.release}`;
  return { value: codex.rules.behaviour.defaultModel, origin: { kind: "default", note: `${whose} default for Amazon Bedrock` } };
}
function resolveEndpoint(baseUrl, region) {
  if (baseUrl && typeof baseUrl.value === "string")
    return { value: baseUrl.value.replace(/\/+$/, ""), origin: baseUrl.origin };
  const value = region.effective?.value;
  if (typeof value !== "string" || value === "")
    return null;
  return { value: mantleEndpoint(value), origin: region.effective.origin };
}

// dist/checks/configProvider.js
var DOCS5 = "https://developers.openai.com/codex/config-reference";
var BUILT_IN_PROVIDERS = ["openai", "amazon-bedrock", "amazon-bedrock-runtime", "ollama", "lmstudio", "gcp"];
var RELEASE_DEPENDENT_PROVIDER_FIELDS = ["base_url", "auth", "http_headers"];
var REFUSED_PROVIDER_FIELDS = {
  name: null,
  env_key: null,
  experimental_bearer_token: null,
  query_params: null,
  env_http_headers: null,
  request_max_retries: null,
  stream_max_retries: null,
  stream_idle_timeout_ms: null,
  wire_api: (value) => value === "responses",
  requires_openai_auth: (value) => value === false,
  supports_websockets: (value) => value === false
};
function codexOverrideError(setup) {
  const rules = setup.codex.rules.behaviour;
  const accepted = [...rules.providerKeys, ...rules.awsKeys.map((key) => `aws.${key}`)].map((key) => `\`${key}\``);
  const list = accepted.length > 1 ? `${accepted.slice(0, -1).join(", ")}${accepted.length > 2 ? "," : ""} and ${accepted.at(-1)}` : accepted.join("");
  return `model_providers.amazon-bedrock only supports changing ${list}; other non-default provider fields are not supported`;
}
var PROVIDER_SNIPPET = [
  "# at the top of config.toml, before any [table] header:",
  'model_provider = "amazon-bedrock"',
  "",
  "[model_providers.amazon-bedrock.aws]",
  'region = "us-east-1"   # a region where your model is available'
].join("\n");
function looksLikeBedrock(id) {
  const squashed = id.toLowerCase().replace(/[^a-z]/g, "");
  return squashed.includes("bedrock") || closest(id.toLowerCase(), [BEDROCK_PROVIDER_ID], 3).length > 0;
}
function layerProblems(setup) {
  const home = setup.codexHome;
  if (home.origin.kind !== "default" && home.state !== "directory") {
    const what = home.state === "missing" ? "does not exist" : home.state === "not-a-directory" ? "is not a directory" : "cannot be read";
    return {
      status: "fail",
      code: "config.codex-home-missing",
      summary: `Codex home ${home.path} (from ${describeOrigin(home.origin)}) ${what}; Codex refuses to start`,
      remediation: `Create it (mkdir -p ${home.path}) and put config.toml there, or unset CODEX_HOME to use ~/.codex.`,
      docs: DOCS5,
      facts: { finding: "codex-home-missing" }
    };
  }
  for (const layer of setup.layers) {
    if (layer.status !== "error" || !layer.problem)
      continue;
    const where = layer.problem.line ? `${layer.path}:${layer.problem.line}:${layer.problem.column ?? 1}` : layer.path;
    if (layer.problem.kind === "syntax") {
      return {
        status: "fail",
        code: "config.toml-syntax",
        summary: `TOML syntax error in ${where}: ${layer.problem.message}; Codex cannot load its config`,
        details: [`line ${layer.problem.line ?? "?"}, column ${layer.problem.column ?? "?"} of ${layer.path}`],
        remediation: `Fix the TOML at line ${layer.problem.line ?? "?"} of ${layer.path} (a common cause: an unquoted string value, e.g. write model = "openai.gpt-5.5").`,
        docs: DOCS5
      };
    }
    return {
      status: "fail",
      code: "config.unreadable",
      summary: `Cannot read ${layer.path}: ${layer.problem.message}`,
      remediation: `Make ${layer.path} a readable UTF-8 TOML file (or remove it if it is not meant to be there).`,
      docs: DOCS5
    };
  }
  return void 0;
}
function legacyTableProblems(setup) {
  const profile = setup.layers.find((layer) => layer.name === "profile");
  if (!profile || profile.status !== "missing" || !setup.profileName)
    return void 0;
  const name = setup.profileName;
  const release2 = setup.codex.rules.release;
  return {
    status: "fail",
    code: "config.profile-not-found",
    summary: `Codex ${release2} refuses to start: "config profile \`${name}\` not found" (this release reads profiles from [profiles.${name}] in ${profile.path}, and there is none)`,
    details: [`Codex ${release2} predates ${name}.config.toml files; later releases read ${setup.codexHome.path}/${name}.config.toml instead`],
    remediation: `Add a [profiles.${name}] table to ${profile.path}, or update Codex (npm install -g @openai/codex@latest) to use ${setup.codexHome.path}/${name}.config.toml.`,
    docs: DOCS5
  };
}
function storedLoginProblems(setup) {
  const mode = setup.storedLogin.authMode;
  const rules = setup.codex.rules.behaviour;
  const unknown = mode === "bedrockApiKey" && rules.storedApiKey === "unknown" || mode === "bedrockAccessKeys" && rules.storedAccessKeys === "unknown";
  if (!unknown)
    return void 0;
  const release2 = setup.codex.rules.release;
  return {
    status: "fail",
    code: "config.unknown-auth-mode",
    summary: `Codex ${release2} refuses to start: ${setup.storedLogin.path} has auth_mode "${mode}", which this release does not know ("unknown variant \`${mode}\`")`,
    details: [`a later Codex stored this Bedrock sign-in; Codex ${release2} cannot read it`],
    remediation: `Update Codex (npm install -g @openai/codex@latest), the release that stored ${setup.storedLogin.path}; or move that file away and give this Codex its credentials another way (AWS_BEARER_TOKEN_BEDROCK, AWS credentials).`,
    docs: DOCS5
  };
}
function legacyProfileProblems(setup) {
  if (setup.profileSource === "legacy-table")
    return legacyTableProblems(setup);
  const user = setup.layers.find((layer) => layer.name === "user");
  for (const layer of setup.layers) {
    const legacy = allConfigValues([layer], ["profile"])[0];
    if (legacy && typeof legacy.value === "string") {
      const name = legacy.value;
      return {
        status: "fail",
        code: "config.legacy-profile-key",
        summary: `Codex refuses to start: legacy \`profile = "${name}"\` (${describeOrigin(legacy.origin)}) is no longer supported`,
        details: [`Codex says: legacy \`profile = "${name}"\` config is no longer supported; use \`--profile ${name}\` with \`${name}.config.toml\` instead`],
        remediation: `Remove the line \`profile = "${name}"\`, move that profile's settings into ${setup.codexHome.path}/${name}.config.toml, and run \`codex --profile ${name}\`.`,
        docs: DOCS5,
        facts: { finding: "legacy-profile", profile: name }
      };
    }
  }
  if (setup.profileName && user?.status === "ok") {
    const table = allConfigValues([user], ["profiles", setup.profileName])[0];
    if (table) {
      return {
        status: "fail",
        code: "config.legacy-profile-table",
        summary: `Codex refuses --profile ${setup.profileName}: config.toml also has a legacy [profiles.${setup.profileName}] table (${describeOrigin(table.origin)})`,
        remediation: `Move the settings of [profiles.${setup.profileName}] into ${setup.codexHome.path}/${setup.profileName}.config.toml and delete the table from config.toml.`,
        docs: DOCS5,
        facts: { finding: "legacy-profile-table", profile: setup.profileName }
      };
    }
  }
  return void 0;
}
function refusedProviderKeys(setup) {
  const rules = setup.codex.rules.behaviour;
  const keys = keysUnder(setup.layers, [...PROVIDER_TABLE]);
  const refused = keys.filter(({ key }) => {
    const [first] = key;
    if (RELEASE_DEPENDENT_PROVIDER_FIELDS.includes(first))
      return !rules.providerKeys.includes(first);
    if (key.length !== 1 || !(key[0] in REFUSED_PROVIDER_FIELDS))
      return false;
    const acceptsDefault = REFUSED_PROVIDER_FIELDS[key[0]];
    const value = allConfigValues(setup.layers, [...PROVIDER_TABLE, key[0]])[0]?.value;
    return !acceptsDefault || !acceptsDefault(value);
  });
  if (refused.length > 0) {
    return {
      status: "fail",
      code: "config.refused-provider-keys",
      summary: `Codex ${setup.codex.rules.release} refuses the config: ${refused.map((r) => `${formatKeyPath(r.key)} (${describeOrigin(r.origin)})`).join(", ")} cannot be changed for amazon-bedrock`,
      details: [`Codex says: ${codexOverrideError(setup)}`],
      remediation: refusedRemediation(setup, refused.map((r) => r.key)),
      docs: DOCS5,
      facts: { finding: "provider-keys-refused", keys: JSON.stringify(refused.map((r) => r.key)) }
    };
  }
  const refusal = authConfigRefusal((path) => lookupConfig(setup.layers, [...PROVIDER_TABLE, ...path]), {
    auth: rules.providerKeys.includes("auth"),
    credentialExport: rules.awsKeys.includes("credential_export"),
    authRefresh: rules.awsKeys.includes("auth_refresh")
  });
  if (refusal)
    return { status: "fail", code: refusal.code, summary: `Codex refuses the config: ${refusal.summary}`, details: [`Codex says: ${refusal.codexSays}`], remediation: refusal.remediation, docs: DOCS5 };
  return void 0;
}
function refusedRemediation(setup, keys) {
  const newerAccepts = keys.filter(([first]) => RELEASE_DEPENDENT_PROVIDER_FIELDS.includes(first));
  const remove = "Remove those keys from [model_providers.amazon-bedrock] (the model goes in the top-level `model` key; the provider name is fixed).";
  if (newerAccepts.length === 0)
    return remove;
  const names = newerAccepts.map((key) => formatKeyPath(key)).join(", ");
  return `${remove}
${names}: accepted by later Codex releases; update Codex (npm install -g @openai/codex@latest) if you need ${newerAccepts.length > 1 ? "them" : "it"}.`;
}
function ignoredProviderKeys(setup) {
  const awsKeys = setup.codex.rules.behaviour.awsKeys;
  return keysUnder(setup.layers, [...PROVIDER_TABLE]).filter(({ key }) => {
    const [first, second] = key;
    if (first === "aws")
      return key.length === 1 || !awsKeys.includes(second);
    return !RELEASE_DEPENDENT_PROVIDER_FIELDS.includes(first) && !(first in REFUSED_PROVIDER_FIELDS);
  }).map(({ key, origin }) => `model_providers.amazon-bedrock.${formatKeyPath(key)} (${describeOrigin(origin)})`);
}
function misplacedProviderKey(layers) {
  for (const layer of layers) {
    const misplaced = layer.layout.keys.find((key) => key.path.length > 1 && key.path[key.path.length - 1] === "model_provider" && key.header);
    if (misplaced?.header)
      return { line: misplaced.line, header: misplaced.header.text, path: `${layer.path}:${misplaced.header.line}` };
  }
  return void 0;
}
function providerOutcome(setup) {
  const provider = setup.provider;
  if (!provider) {
    const misplaced = misplacedProviderKey(setup.layers);
    if (misplaced) {
      return {
        status: "fail",
        code: "config.provider-misplaced",
        summary: `model_provider at line ${misplaced.line} sits under ${misplaced.header} (${misplaced.path}), so it is not the top-level key: Codex warns that it is ignored and uses OpenAI`,
        remediation: `Move \`model_provider = "amazon-bedrock"\` to the top of the file, above the first [table] header (TOML assigns every key after a header to that table).`,
        docs: DOCS5,
        facts: { finding: "provider-misplaced" }
      };
    }
    const user = setup.layers.find((layer) => layer.name === "user");
    const missing = user.status === "missing";
    return {
      status: "fail",
      code: missing ? "config.file-missing" : "config.provider-not-set",
      summary: missing ? `${user.path} does not exist, so Codex uses its default provider, OpenAI, not Amazon Bedrock` : `model_provider is not set, so Codex uses its default provider, OpenAI, not Amazon Bedrock`,
      remediation: `${missing ? `Create ${user.path}` : `Add to ${user.path}`}:
${PROVIDER_SNIPPET}`,
      docs: DOCS5,
      facts: { finding: "provider-missing" }
    };
  }
  const where = describeOrigin(provider.origin);
  if (typeof provider.value !== "string") {
    return {
      status: "fail",
      code: "config.provider-not-a-string",
      summary: `model_provider (${where}) is not a string; Codex cannot load the config`,
      remediation: 'Write it as a string: model_provider = "amazon-bedrock"',
      docs: DOCS5
    };
  }
  const id = provider.value;
  if (id === BEDROCK_PROVIDER_ID)
    return { status: "pass", code: "config.ok", summary: `model_provider = "amazon-bedrock" (${where})` };
  const managed = provider.origin.kind === "config" && provider.origin.layer === "managed";
  if (managed) {
    return {
      status: "fail",
      code: "config.managed-forces-provider",
      summary: `The managed config ${where} forces model_provider = "${id}"; it outranks your own config`,
      remediation: `Ask whoever administers ${provider.origin.kind === "config" ? provider.origin.path : "the managed config"} to set model_provider = "amazon-bedrock" (or remove it); no user setting can override a managed config.`,
      docs: DOCS5
    };
  }
  const definedCustom = allConfigValues(setup.layers, ["model_providers", id]).length > 0;
  const builtIn = BUILT_IN_PROVIDERS.includes(id);
  const suggestion = looksLikeBedrock(id) ? ` Did you mean "amazon-bedrock"?` : "";
  const fix = `Set model_provider = "amazon-bedrock" (${where}).`;
  if (id === "amazon-bedrock-runtime") {
    return {
      status: "fail",
      code: "config.bedrock-runtime-provider",
      summary: `model_provider = "${id}" (${where}) is Codex's other Bedrock provider (bedrock-runtime endpoint, SigV4 service bedrock, global./us. model ids), not the "amazon-bedrock" Mantle provider of the setup guide that this doctor checks.${suggestion}`,
      remediation: fix,
      docs: DOCS5
    };
  }
  if (builtIn || definedCustom) {
    return {
      status: "fail",
      code: "config.other-provider",
      summary: `model_provider = "${id}" (${where}): Codex will use ${builtIn ? `its built-in "${id}" provider` : `the custom provider [model_providers.${id}]`}, not Amazon Bedrock.${suggestion}`,
      remediation: fix,
      docs: DOCS5
    };
  }
  return {
    status: "fail",
    code: "config.unknown-provider",
    summary: `model_provider = "${id}" (${where}): Codex exits with "Model provider \`${id}\` not found".${suggestion}`,
    remediation: fix,
    docs: DOCS5,
    facts: { finding: "provider-unknown", suggestion: suggestion ? BEDROCK_PROVIDER_ID : null }
  };
}
var configProvider = {
  id: "config.provider",
  title: "Codex config selects Amazon Bedrock",
  requires: [],
  network: false,
  run({ setup }) {
    const blocking = layerProblems(setup) ?? legacyProfileProblems(setup) ?? storedLoginProblems(setup);
    if (blocking)
      return blocking;
    const outcome = providerOutcome(setup);
    if (outcome.status !== "pass")
      return outcome;
    const refused = refusedProviderKeys(setup);
    if (refused)
      return refused;
    const warnings = [];
    const projectNotes = [];
    const remediations = [];
    const profileLayer = setup.layers.find((layer) => layer.name === "profile");
    if (profileLayer?.status === "missing" && setup.profileSource === "profile-file") {
      warnings.push(`--profile ${setup.profileName}: ${profileLayer.path} does not exist, and Codex silently runs on config.toml alone`);
      remediations.push(`Create ${profileLayer.path} with that profile's settings, or drop --profile ${setup.profileName}.`);
    }
    const ignoredKeys = ignoredProviderKeys(setup);
    if (ignoredKeys.length > 0) {
      const says = setup.codex.rules.behaviour.warnsIgnoredKeys ? 'it prints "Codex is ignoring ... unrecognized configuration setting"' : `Codex ${setup.codex.rules.release} does so silently`;
      warnings.push(`Codex ignores unknown setting${ignoredKeys.length > 1 ? "s" : ""} ${ignoredKeys.join(", ")} (${says})`);
      const rules = setup.codex.rules.behaviour;
      remediations.push(`Remove or correct those keys: under [model_providers.amazon-bedrock] Codex ${setup.codex.rules.release} uses ${[...rules.providerKeys, ...rules.awsKeys.map((key) => `aws.${key}`)].join(", ")}.`);
    }
    const openAiKey = setup.env.sourced("OPENAI_API_KEY");
    if (openAiKey) {
      warnings.push(`${describeOrigin(openAiKey.origin)} is set, but the amazon-bedrock provider does not use it`);
      remediations.push("OPENAI_API_KEY and ChatGPT sign-in are not used with Bedrock; unset OPENAI_API_KEY unless another tool needs it.");
    }
    if (setup.baseUrl) {
      warnings.push(`base_url is overridden (${describeOrigin(setup.baseUrl.origin)}): Codex sends Bedrock traffic to ${String(setup.baseUrl.value)} and skips its region allow-list`);
      remediations.push("Remove model_providers.amazon-bedrock.base_url unless you deliberately route through a proxy or a private endpoint.");
    }
    setup.layers.filter((layer) => layer.dropped).forEach((layer) => warnings.push(`${layer.path} sets ${layer.dropped.join(" and ")}, which Codex ignores in a project config (it warns "Ignored unsupported project-local config keys"; only the user config.toml may set them)`));
    if (setup.project && setup.project.untrustedFiles.length > 0)
      projectNotes.push(`not loaded, the project is not trusted: ${setup.project.untrustedFiles.join(", ")}`);
    const layerList = setup.layers.filter((layer) => layer.status === "ok").map((layer) => `${layer.name} layer: ${layer.path}`);
    const details = [`config layers read (lowest to highest): ${layerList.join("; ") || "none"}`, ...projectNotes, ...warnings];
    if (warnings.length === 0)
      return { ...outcome, details };
    return { status: "warn", code: profileLayer?.status === "missing" && setup.profileSource === "profile-file" ? "config.profile-file-missing" : ignoredKeys.length > 0 ? "config.unknown-provider-keys" : openAiKey ? "config.openai-key-unused" : "config.base-url-overridden", summary: `${outcome.summary}; ${warnings.join("; ")}`, details, remediation: remediations.join("\n"), docs: DOCS5 };
  }
};

// dist/checks/envDotenv.js
init_import_meta_url();

// dist/resolve/secretNames.js
init_import_meta_url();
var SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|AUTHORIZATION)/i;
var PUBLIC_NAMES = /* @__PURE__ */ new Set(["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]);
function isSecretName(name) {
  return !PUBLIC_NAMES.has(name.toUpperCase()) && !/_FILE$/i.test(name) && SECRET_NAME.test(name);
}

// dist/checks/envDotenv.js
var DOCS6 = "https://developers.openai.com/codex/config-advanced";
function soundRegion(setup, region, earlier) {
  if (earlier.get("region.set")?.status === "fail")
    return false;
  return REGION_SHAPE.test(region) && (setup.baseUrl !== null || CODEX_MANTLE_REGIONS.includes(region));
}
function shellOnlyNeeds(setup, earlier) {
  const fromShell = (origin) => origin?.kind === "env" && origin.from === "shell";
  const needs = [];
  const region = setup.region.effective;
  if (region && region.origin.kind === "env" && fromShell(region.origin)) {
    const value = String(region.value);
    const line = soundRegion(setup, value, earlier) ? value : "<a supported region, e.g. us-east-1: see region.set>";
    needs.push({ what: `the region (${describeOrigin(region.origin)})`, lines: [`${region.origin.name}=${line}`] });
  }
  if (setup.auth.source === "bearer-env" && fromShell(setup.auth.origin)) {
    needs.push({ what: "the Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)", lines: ["AWS_BEARER_TOKEN_BEDROCK=<your Bedrock API key>"] });
  }
  if (setup.auth.source === "env-keys" && fromShell(setup.auth.origin)) {
    needs.push({ what: "the AWS access keys (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)", lines: ["AWS_ACCESS_KEY_ID=<access key id>", "AWS_SECRET_ACCESS_KEY=<secret access key>"] });
  }
  if (setup.auth.source === "sdk-chain" && setup.auth.awsProfile && fromShell(setup.auth.awsProfile.origin)) {
    const profile = setup.auth.awsProfile.value;
    const line = profileSourceKind(setup, profile).ok && earlier.get("auth.token")?.status !== "fail" ? profile : "<a profile from ~/.aws/config: see auth.token>";
    needs.push({ what: "the AWS profile (AWS_PROFILE)", lines: [`AWS_PROFILE=${line}`] });
  }
  return needs;
}
function firstFew(items, shown2 = 10) {
  return items.length > shown2 ? `${items.slice(0, shown2).join(", ")} and ${items.length - shown2} more` : items.join(", ");
}
function overridingLines(setup) {
  return setup.env.dotenv.overriddenShellKeys.map((key) => {
    const origin = setup.env.originOf(key);
    return origin?.kind === "env" && origin.line ? `${key} (line ${origin.line})` : key;
  });
}
var envDotenv = {
  id: "env.dotenv",
  title: "$CODEX_HOME/.env",
  requires: [],
  network: false,
  run({ setup, earlier }) {
    const { dotenv } = setup.env;
    const path = dotenv.path;
    const warnings = [];
    const remediation = [];
    const details = [];
    const codes = [];
    if (setup.codexHome.state !== "directory") {
      const reason = `the Codex home ${setup.codexHome.path} does not exist (see config.provider)`;
      return { status: "skip", code: "env.no-codex-home", summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const onCi = isContinuousIntegration(setup.env.shell);
    const shellNeeds = onCi ? [] : shellOnlyNeeds(setup, earlier);
    if (onCi)
      details.push("running under CI: the desktop app and IDE extension advice does not apply here");
    if (shellNeeds.length > 0) {
      codes.push("env.desktop-needs-dotenv");
      warnings.push(`only your shell sets ${shellNeeds.map((need) => need.what).join(" and ")}: the Codex desktop app and IDE extension will not see ${shellNeeds.length === 1 ? "it" : "them"}`);
      const protect = setup.platform.posixModes ? `
then chmod 600 ${path}` : "";
      remediation.push(`If you use the desktop app or IDE extension, add to ${path}:
${shellNeeds.flatMap((need) => need.lines).join("\n")}${protect}`);
    }
    const read = dotenv.read;
    if (read.status === "missing") {
      if (warnings.length === 0)
        return { status: "pass", code: "env.dotenv-absent", summary: `${path} is absent; nothing Codex needs depends on it`, details: ["the CLI inherits the shell environment", ...details] };
      return { status: "warn", code: "env.desktop-needs-dotenv", summary: `${path} is absent, and ${warnings[0]}`, remediation: remediation.join("\n"), docs: DOCS6 };
    }
    if (read.status === "unreadable") {
      return {
        status: "warn",
        code: "env.dotenv-unreadable",
        summary: `${path} cannot be read (${read.reason}); Codex skips it, so none of its values apply`,
        details: warnings,
        remediation: `Make ${path} a readable UTF-8 text file of KEY=value lines, or remove it.`,
        docs: DOCS6
      };
    }
    const parse2 = dotenv.parse;
    details.push(`keys set by the file (values hidden): ${firstFew(parse2.entries.map((e) => `${e.key} (line ${e.line})`)) || "none"}`);
    if (parse2.dropped.length > 0) {
      codes.push("env.dotenv-dropped-lines");
      warnings.push(`${parse2.dropped.length} line${parse2.dropped.length > 1 ? "s" : ""} Codex silently drops: ${firstFew(parse2.dropped.map((d) => `line ${d.line} (${d.reason})`))}`);
      remediation.push(`Fix those lines in ${path}: each must be KEY=value (optionally prefixed by "export ").`);
    }
    if (parse2.oversized.length > 0) {
      warnings.push(`${firstFew(parse2.oversized.map((o) => `line ${o.line} (${o.key})`))} expand${parse2.oversized.length === 1 ? "s" : ""} to more than ${MAX_EXPANDED_VALUE_CHARS} characters (or all values together to more than ${MAX_EXPANDED_TOTAL_CHARS}); the doctor did not expand ${parse2.oversized.length === 1 ? "it" : "them"}, and Codex would set values that large`);
      remediation.push(`Remove the repeated \${...} references from those lines of ${path}.`);
    }
    if (parse2.ignoredCodexKeys.length > 0) {
      codes.push("env.dotenv-codex-keys");
      warnings.push(`Codex ignores CODEX_* keys in .env: ${parse2.ignoredCodexKeys.map((k) => `${k.key} (line ${k.line})`).join(", ")}`);
      remediation.push("Set CODEX_* variables in the shell or the app environment instead; Codex refuses them from .env.");
    }
    if (dotenv.overriddenShellKeys.length > 0) {
      const overriding = overridingLines(setup);
      codes.push("env.dotenv-overrides-shell");
      warnings.push(`it overrides different values already set in your shell for ${overriding.join(", ")} (Codex uses the .env values)`);
      remediation.push(`If the shell holds the right values, delete ${overriding.length === 1 ? "that line" : "those lines"} of ${path}; otherwise make the shell agree, so other tools and Codex use the same values.`);
    }
    const secretKeys = parse2.entries.filter((e) => isSecretName(e.key)).map((e) => e.key);
    const tooOpen = secretKeys.length > 0 && setup.platform.posixModes && (read.mode & 63) !== 0;
    if (tooOpen) {
      codes.push("env.dotenv-permissions");
      warnings.push(`it holds secrets (${[...new Set(secretKeys)].join(", ")}) and is readable by ${read.mode & 7 ? "others" : "its group"} (mode ${(read.mode & 511).toString(8)})`);
      remediation.push(`chmod 600 ${path}`);
    }
    if (warnings.length === 0) {
      return { status: "pass", code: "env.dotenv-ok", summary: `${path} parses: ${parse2.entries.length} key${parse2.entries.length === 1 ? "" : "s"}, applied over the shell as Codex does`, details };
    }
    return {
      status: "warn",
      code: codes[0],
      summary: `${path}: ${warnings.join("; ")}`,
      details: [...details, ...warnings],
      remediation: remediation.join("\n"),
      docs: DOCS6,
      facts: { tooOpen }
    };
  }
};

// dist/checks/modelId.js
init_import_meta_url();

// dist/catalogue/models.js
init_import_meta_url();
var MODEL_CATALOGUE = [
  { id: "openai.gpt-5.5", status: "current", seenIn: "Codex-on-Bedrock setup guide and Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-5.4", status: "current", setupGuideOnly: true, seenIn: "Codex-on-Bedrock setup guide (not in Codex 0.169.0\u2019s catalogue: Codex warns it has no metadata and uses fallback metadata)" },
  { id: "openai.gpt-5.6-sol", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-5.6-terra", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-5.6-luna", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-6.1-sol", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue (its default)" },
  { id: "openai.gpt-6.1-terra", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-6-astra", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-6-sol", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue (codex debug models)" },
  { id: "openai.gpt-6-luna", status: "current", seenIn: "Codex 0.169.0 Bedrock model catalogue" },
  { id: "openai.gpt-6.2-sol", status: "current", seenIn: "Codex 0.171.0 Bedrock model catalogue (its default)" },
  { id: "openai.gpt-6.2-astra", status: "current", seenIn: "Codex 0.171.0 Bedrock model catalogue" },
  { id: "openai.gpt-oss-120b", status: "retired", seenIn: "dropped from Codex\u2019s Bedrock catalogue" },
  { id: "openai.gpt-oss-20b", status: "retired", seenIn: "dropped from Codex\u2019s Bedrock catalogue" },
  { id: "openai.gpt-5.4-cmb", status: "retired", seenIn: "old id of gpt-5.4", replacedBy: "openai.gpt-5.4" }
];
var CURRENT_MODEL_IDS = MODEL_CATALOGUE.filter((m) => m.status === "current").map((m) => m.id);

// dist/checks/modelId.js
var DOCS7 = "https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html";
var INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|jp|au|ca|global|us-gov)\./;
var RUNTIME_VERSION_SUFFIX = /-v?\d+:\d+$/;
function nearMiss(id) {
  const inCatalogue = (candidate) => MODEL_CATALOGUE.some((m) => m.id === candidate);
  const trimmed = id.trim();
  if (trimmed !== id && inCatalogue(trimmed))
    return { suggestion: trimmed, why: "it has surrounding spaces, and Codex sends the id unchanged" };
  const lower = trimmed.toLowerCase();
  if (lower !== trimmed && inCatalogue(lower))
    return { suggestion: lower, why: "model ids are case-sensitive" };
  if (INFERENCE_PROFILE_PREFIX.test(lower)) {
    const bare = lower.replace(INFERENCE_PROFILE_PREFIX, "");
    const fixed = nearMiss(bare)?.suggestion ?? bare;
    return { suggestion: fixed, why: `"${trimmed.split(".")[0]}." is a cross-region inference profile prefix of bedrock-runtime; Mantle rejects it` };
  }
  if (RUNTIME_VERSION_SUFFIX.test(lower)) {
    const bare = lower.replace(RUNTIME_VERSION_SUFFIX, "");
    return { suggestion: nearMiss(bare)?.suggestion ?? bare, why: "that is the bedrock-runtime form of the id (with a version suffix); Mantle uses the id without it" };
  }
  if (!lower.startsWith("openai.") && inCatalogue(`openai.${lower}`)) {
    return { suggestion: `openai.${lower}`, why: 'Bedrock ids carry the "openai." prefix' };
  }
  const retired = MODEL_CATALOGUE.find((m) => m.id === lower && m.replacedBy);
  if (retired?.replacedBy)
    return { suggestion: retired.replacedBy, why: `${retired.id} is retired (${retired.seenIn})` };
  return void 0;
}
var modelId = {
  id: "model.id",
  title: "Model id is a Bedrock model id",
  requires: ["config.provider"],
  network: false,
  run({ setup }) {
    const { value: id, origin } = setup.model;
    const source = describeOrigin(origin);
    const details = [`model from ${source}`];
    const known = MODEL_CATALOGUE.find((m) => m.id === id);
    const release2 = setup.codex.rules.release;
    const releaseCatalogue = setup.codex.rules.behaviour.catalogue;
    if (known?.status === "current") {
      if (releaseCatalogue.includes(id) || known.setupGuideOnly) {
        return { status: "pass", code: "model.ok", summary: `${id} (${source})`, details: [...details, `seen in: ${known.seenIn}`], facts: { model: id } };
      }
      return {
        status: "warn",
        code: "model.not-in-release-catalogue",
        summary: `${id} (${source}) is not in the model catalogue of Codex ${release2} (${known.seenIn}): this Codex sends it unchanged but with fallback model metadata`,
        details: [...details, `Codex ${release2} catalogue: ${releaseCatalogue.join(", ")}`],
        remediation: `Update Codex (npm install -g @openai/codex@latest) to a release that knows ${id}, or use one this release knows, e.g. ${setup.codex.rules.behaviour.defaultModel}.`,
        docs: DOCS7,
        facts: { model: id }
      };
    }
    const miss = nearMiss(id);
    if (miss) {
      const retired = MODEL_CATALOGUE.find((m) => m.id === miss.suggestion && m.status === "retired");
      const retiredNote = retired ? ` (note: ${retired.id} was ${retired.seenIn}; current ids: ${CURRENT_MODEL_IDS.slice(0, 3).join(", ")})` : "";
      return {
        status: "fail",
        code: "model.near-miss",
        summary: `Model ${JSON.stringify(id)} (${source}) will be rejected: ${miss.why}. Did you mean "${miss.suggestion}"?${retiredNote}`,
        details,
        remediation: `Set model = "${miss.suggestion}" at ${source}.`,
        docs: DOCS7,
        facts: { suggestion: miss.suggestion }
      };
    }
    if (known?.status === "retired") {
      return {
        status: "warn",
        code: "model.retired",
        summary: `${id} (${source}) was ${known.seenIn}; the region may no longer serve it`,
        details,
        remediation: `Prefer a current id such as ${CURRENT_MODEL_IDS.slice(0, 3).join(", ")}; bedrock.responses shows whether the region still serves ${id}.`,
        docs: DOCS7
      };
    }
    const similar = closest(id, CURRENT_MODEL_IDS, 2);
    if (/^openai\.[a-z0-9][a-z0-9.-]*$/.test(id)) {
      return {
        status: "warn",
        code: "model.not-in-catalogue",
        summary: `${id} (${source}) is not in the doctor's model catalogue${similar[0] ? `; did you mean "${similar[0]}"?` : ""}`,
        details: [...details, `known ids: ${CURRENT_MODEL_IDS.join(", ")}`],
        remediation: "The catalogue may be older than the service: bedrock.responses settles whether the region serves this id.",
        docs: DOCS7
      };
    }
    return {
      status: "fail",
      code: "model.unknown",
      summary: `${JSON.stringify(id)} (${source}) is not a Bedrock model id Codex can use${similar[0] ? `; did you mean "${similar[0]}"?` : ""}`,
      details: [...details, `Codex on Bedrock uses the OpenAI models Mantle serves, with ids like ${CURRENT_MODEL_IDS.slice(0, 3).join(", ")}`],
      remediation: `Set model = "${similar[0] ?? "openai.gpt-5.5"}" at ${source}.`,
      docs: DOCS7
    };
  }
};

// dist/checks/regionNotGovcloud.js
init_import_meta_url();
var SETUP_GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html";
var PARTITION_NAMES = {
  "aws-cn": "AWS China",
  "aws-iso": "AWS ISO (US isolated)",
  "aws-iso-b": "AWS ISOB (US isolated)",
  "aws-iso-e": "AWS ISOE (EU isolated)",
  "aws-iso-f": "AWS ISOF (isolated)",
  "aws-eusc": "AWS European Sovereign Cloud"
};
var regionNotGovcloud = {
  id: "region.not-govcloud",
  title: "Region is in the commercial AWS partition",
  // Not gated on region.set: a cn-* or us-iso* region fails Codex's allow-list there, and this check still
  // says why (wrong partition) instead of being skipped.
  requires: ["config.provider"],
  network: false,
  run({ setup, options }) {
    const value = setup.region.effective?.value;
    if (typeof value !== "string" || !REGION_SHAPE.test(value)) {
      const reason = "needs a well-formed region (see region.set)";
      return { status: "skip", code: "region.malformed", summary: `Skipped: ${reason}`, skipReason: reason };
    }
    const region = value;
    const partition = partitionOf(region);
    if (partition === "aws")
      return { status: "pass", code: "region.commercial", summary: `${region} is in the commercial AWS partition`, facts: { partition } };
    if (partition === "aws-us-gov") {
      const summary = `${region} is an AWS GovCloud (US) region: the setup guide says Codex does not support Bedrock Mantle endpoints in GovCloud`;
      return options.allowGovcloud ? {
        status: "warn",
        code: "region.govcloud-allowed",
        summary: `${summary} (reported as a warning because of --allow-govcloud)`,
        remediation: "Only continue if your organisation has confirmed Mantle access for Codex in GovCloud.",
        docs: SETUP_GUIDE,
        facts: { partition }
      } : {
        status: "fail",
        code: "region.govcloud",
        summary,
        remediation: "Use a commercial region such as us-east-1 or us-west-2. If your organisation has confirmed access, run with --allow-govcloud to report this as a warning.",
        docs: SETUP_GUIDE,
        facts: { partition }
      };
    }
    return {
      status: "fail",
      code: "region.other-partition",
      summary: `${region} is in the ${PARTITION_NAMES[partition] ?? partition} partition, not the commercial AWS partition Codex's Bedrock provider supports`,
      remediation: "Use a commercial region such as us-east-1, with credentials for a commercial AWS account.",
      docs: SETUP_GUIDE,
      facts: { partition }
    };
  }
};

// dist/checks/regionSet.js
init_import_meta_url();
var DOCS8 = "https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html";
var KNOWN_REGIONS = [...CODEX_MANTLE_REGIONS, ...CODEX_GOVCLOUD_REGIONS, "us-west-1", "ca-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-2", "ap-northeast-3", "eu-west-3", "eu-south-2", "eu-central-2", "me-central-1", "me-south-1", "af-south-1", "il-central-1", "ca-west-1", "mx-central-1"];
function regionSnippet(region) {
  return ["[model_providers.amazon-bedrock.aws]", `region = "${region}"`].join("\n");
}
function suggestRegion(value) {
  const trimmedLower = value.trim().toLowerCase();
  if (REGION_SHAPE.test(trimmedLower))
    return trimmedLower;
  const squashed = trimmedLower.replace(/[^a-z0-9]/g, "");
  return KNOWN_REGIONS.find((region) => region.replace(/-/g, "") === squashed) ?? closest(trimmedLower, KNOWN_REGIONS, 2)[0];
}
function acceptedRegions(codex) {
  const rules = codex.rules.behaviour;
  return [...rules.regionAllowList, ...rules.govcloud];
}
function whereToSet(setup) {
  if (setup.region.rule === "bearer-config-only") {
    return `Set it in ${setup.codexHome.path}/config.toml (Codex ${setup.codex.rules.release} reads the region of a Bedrock API key from nowhere else):
${regionSnippet("us-east-1")}`;
  }
  return `Set it in ${setup.codexHome.path}/config.toml:
${regionSnippet("us-east-1")}
or put AWS_REGION=us-east-1 in ${setup.codexHome.path}/.env (the desktop app and IDE extension read that file, not your shell).`;
}
var regionSet = {
  id: "region.set",
  title: "Region is set and supported by Codex",
  requires: ["config.provider"],
  network: false,
  run({ setup }) {
    const { region } = setup;
    const ignored = region.candidates.filter((c) => c.ignoredBecause).map((c) => `${describeOrigin(c.origin)} was ignored: ${c.ignoredBecause}`);
    if (!region.effective) {
      const codexSays = {
        bearer: 'Codex fails with "Amazon Bedrock bearer token auth requires `model_providers.amazon-bedrock.aws.region`, `AWS_REGION`, or `AWS_DEFAULT_REGION`"',
        "bearer-config-only": `Codex ${setup.codex.rules.release} fails with "Amazon Bedrock bearer token auth requires \`model_providers.amazon-bedrock.aws.region\`" (this release reads no other region for a Bedrock API key)`,
        "stored-key": "the Bedrock API key stored in auth.json has no region stored with it, and Codex uses no other region for it",
        "aws-sdk": 'Codex fails with "failed to resolve Amazon Bedrock auth: AWS SDK config did not resolve a region"'
      }[region.rule];
      return {
        status: "fail",
        code: "region.not-set",
        summary: `No region found${ignored.length > 0 ? ` (${region.candidates.filter((c) => c.ignoredBecause).map((c) => describeOrigin(c.origin)).join(", ")}: set but empty, which Codex treats as unset)` : ""}: ${codexSays}`,
        details: [`sources tried, in Codex's order: ${region.tried.join(", ")}`, ...ignored, ...unreadableAwsFiles(setup)],
        remediation: region.rule === "stored-key" ? "Sign in to Bedrock again in Codex and choose the region, or remove the stored key from auth.json." : whereToSet(setup),
        docs: DOCS8,
        facts: { finding: "region-missing" }
      };
    }
    const source = describeOrigin(region.effective.origin);
    const value = region.effective.value;
    const written = region.effective.written;
    const details = [`region from ${source}`, ...ignored];
    if (typeof value !== "string") {
      return { status: "fail", code: "region.not-a-string", summary: `The region at ${source} is not a string`, details, remediation: `Write it as a string:
${regionSnippet("us-east-1")}`, docs: DOCS8 };
    }
    if (value.trim() === "") {
      return {
        status: "fail",
        code: "region.empty",
        summary: `${describeOrigin(region.effective.origin)} is set but ${value === "" ? "empty" : "blank"}, and the AWS SDK region chain Codex uses on this path takes it as it is: Codex fails with "${setup.codex.rules.behaviour.regionRefusal} \`${value}\`"`,
        details,
        remediation: `Unset it or give it a value, e.g. export AWS_REGION=us-east-1 (or set the region in config.toml:
${regionSnippet("us-east-1")})`,
        docs: DOCS8,
        facts: { finding: "region-blank" }
      };
    }
    if (!REGION_SHAPE.test(value)) {
      const suggestion = suggestRegion(value);
      const shown2 = JSON.stringify(value);
      return {
        status: "fail",
        code: "region.malformed",
        summary: `The region ${shown2} (${source}) is not a well-formed AWS region name${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
        details: [...details, "Codex uses this value as it is: an endpoint host with upper case, spaces or missing dashes does not exist"],
        remediation: `Change it at ${source} to ${suggestion ? `"${suggestion}"` : 'a region such as "us-east-1"'}.`,
        docs: DOCS8,
        facts: { finding: "region-malformed", suggestion: suggestion ?? null }
      };
    }
    const overridden = setup.baseUrl !== null;
    const accepted = acceptedRegions(setup.codex);
    const allowList = setup.codex.rules.behaviour.regionAllowList;
    const release2 = setup.codex.rules.release;
    const allowed = accepted.includes(value);
    const refusal = setup.codex.rules.behaviour.regionRefusal;
    if (!allowed && !overridden && CODEX_GOVCLOUD_REGIONS.includes(value)) {
      return {
        status: "fail",
        code: "region.govcloud-refused",
        summary: `Codex ${release2} fails with "${refusal} \`${value}\`" (${source}): this release refuses ${value}`,
        details: [...details, `regions Codex ${release2} accepts: ${allowList.join(", ")}`],
        remediation: `Use a commercial region (${allowList.join(", ")}). Later Codex releases send GovCloud regions (see codex.version for the release this was judged against).`,
        docs: DOCS8
      };
    }
    if (!allowed && !overridden && partitionOf(value) !== "aws") {
      return {
        status: "fail",
        code: "region.other-partition",
        summary: `Codex fails with "${refusal} \`${value}\`" (${source}): it is outside the commercial AWS partition (see region.not-govcloud)`,
        details,
        remediation: `Codex's Bedrock provider serves commercial regions only (${allowList.join(", ")}); that needs credentials for a commercial AWS account, not one in ${value}'s partition.`,
        docs: DOCS8
      };
    }
    if (!allowed && !overridden) {
      const why = value === "us-west-1" ? " (there is no Bedrock Mantle endpoint in us-west-1 at all)" : "";
      return {
        status: "fail",
        code: "region.not-in-allow-list",
        summary: `Codex fails with "${refusal} \`${value}\`" (${source})${why}`,
        details: [...details, `regions Codex ${release2} accepts: ${allowList.join(", ")}`],
        remediation: `Change the region at ${source} to one where your model is available, e.g. ${closest(value, allowList, 6)[0] ?? "us-east-1"}. Accepted: ${allowList.join(", ")}.`,
        docs: DOCS8,
        facts: { finding: "region-not-allowed" }
      };
    }
    if (overridden)
      details.push(`base_url is overridden, so Codex skips its region allow-list; the region is still used for signing`);
    if (typeof written === "string" && written !== value) {
      return {
        status: "warn",
        code: "region.surrounding-spaces",
        summary: `Region ${value} (${source}) is written with surrounding spaces (${JSON.stringify(written)}); Codex trims them here, but other AWS tools may not`,
        details,
        remediation: `Remove the spaces at ${source}.`,
        docs: DOCS8,
        facts: { region: value }
      };
    }
    const losers = region.candidates.filter((c) => c.value !== null && c.origin !== region.effective.origin && c.value !== value);
    if (losers.length > 0) {
      return {
        status: "warn",
        code: "region.sources-disagree",
        summary: `Region ${value} from ${source} wins, but other sources disagree: ${losers.map((l) => `${JSON.stringify(l.value)} (${describeOrigin(l.origin)})`).join(", ")}`,
        details,
        remediation: `Codex uses ${value}. Make the other sources agree or remove them, so other AWS tools (which read them in a different order) use the same region.`,
        docs: DOCS8
      };
    }
    return { status: "pass", code: "region.ok", summary: `Region ${value} (${source})`, details, facts: { region: value } };
  }
};

// dist/checks/index.js
var ALL_CHECKS = [
  codexVersion,
  configProvider,
  regionSet,
  regionNotGovcloud,
  authToken,
  authIdentity,
  modelId,
  envDotenv,
  bedrockResponses
];

// dist/checks/runner.js
init_import_meta_url();
function toResult(check, outcome, durationMs, extra = {}) {
  return {
    id: check.id,
    title: check.title,
    status: outcome.status,
    code: outcome.code ?? null,
    summary: outcome.summary,
    details: outcome.details ?? [],
    remediation: outcome.remediation ?? null,
    docs: outcome.docs ?? null,
    durationMs,
    skipReason: outcome.status === "skip" ? outcome.skipReason ?? outcome.summary : null,
    facts: outcome.facts ?? {},
    ...extra
  };
}
function blockingPrerequisite(check, earlier) {
  return check.requires.map((id) => earlier.get(id)).find((result) => result !== void 0 && (result.status === "fail" || result.blocked === true));
}
async function runChecks(checks, context, selection = { deselected: /* @__PURE__ */ new Map() }, progress) {
  const earlier = /* @__PURE__ */ new Map();
  for (const check of checks) {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    let result;
    const blocker = blockingPrerequisite(check, earlier);
    const deselectedBecause = selection.deselected.get(check.id);
    if (deselectedBecause) {
      const reason = deselectedBecause;
      result = toResult(check, { status: "skip", code: "skip.not-selected", summary: `Skipped: ${reason}`, skipReason: reason }, 0, { blocked: true });
    } else if (blocker) {
      const reason = blocker.status === "fail" ? `needs ${blocker.id}, which failed` : `needs ${blocker.id}, which was skipped (${blocker.skipReason ?? "not run"})`;
      result = toResult(check, { status: "skip", code: "skip.prerequisite", summary: `Skipped: ${reason}`, skipReason: reason }, 0, { blocked: true });
    } else if (check.network && context.options.offline) {
      const reason = "needs the network, and --offline is set";
      result = toResult(check, { status: "skip", code: "skip.offline", summary: `Skipped: ${reason}`, skipReason: reason }, 0);
    } else {
      progress?.started(check);
      try {
        const outcome = await check.run({ ...context, earlier });
        result = toResult(check, outcome, elapsed());
      } catch (error) {
        const message2 = error instanceof Error ? error.message : String(error);
        result = toResult(check, {
          status: "fail",
          code: "internal.error",
          summary: `Internal error in the doctor while running this check: ${message2}`,
          remediation: "This is a bug in codex-bedrock, not a problem with your setup. Please report it with the output of --report."
        }, elapsed(), { internalError: true });
      }
    }
    earlier.set(check.id, result);
    progress?.finished(result);
  }
  return [...earlier.values()];
}

// dist/checks/selection.js
init_import_meta_url();
function deselectedChecks(checks, only, skip) {
  const byId = new Map(checks.map((check) => [check.id, check]));
  const wanted = /* @__PURE__ */ new Set();
  const follow = (id) => {
    if (wanted.has(id))
      return;
    wanted.add(id);
    byId.get(id)?.requires.forEach(follow);
  };
  if (only)
    only.forEach(follow);
  else
    checks.forEach((check) => wanted.add(check.id));
  const deselected = /* @__PURE__ */ new Map();
  checks.forEach((check) => {
    if (skip.includes(check.id))
      deselected.set(check.id, "skipped with --skip");
    else if (!wanted.has(check.id))
      deselected.set(check.id, "not selected by --only");
  });
  return deselected;
}

// dist/io/bytes.js
init_import_meta_url();
var import_node_fs4 = require("node:fs");
var readBytesFromDisk = (path) => {
  try {
    const stat = (0, import_node_fs4.statSync)(path);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES)
      return null;
    return { bytes: (0, import_node_fs4.readFileSync)(path), mode: stat.mode };
  } catch {
    return null;
  }
};

// dist/net/services.js
init_import_meta_url();

// dist/net/iamCredentials.js
init_import_meta_url();

// dist/auth/processCredentials.js
init_import_meta_url();
var RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
function parseProcessCredentials(text2) {
  let parsed;
  try {
    parsed = JSON.parse(text2);
  } catch {
    return { ok: false, reason: "its output is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: "its output is not a JSON object" };
  const fields = /* @__PURE__ */ new Map();
  Object.entries(parsed).forEach(([key, value]) => fields.set(key.toLowerCase(), value));
  const text_ = (key) => typeof fields.get(key) === "string" ? fields.get(key) : void 0;
  const version = fields.get("version");
  if (version === void 0)
    return { ok: false, reason: "its output has no `Version` field (it must be 1)" };
  if (version !== 1)
    return { ok: false, reason: `its output has Version ${JSON.stringify(version)}; only the number 1 is accepted` };
  const accessKeyId = text_("accesskeyid");
  if (accessKeyId === void 0)
    return { ok: false, reason: "its output has no `AccessKeyId`" };
  const secretAccessKey = text_("secretaccesskey");
  if (secretAccessKey === void 0)
    return { ok: false, reason: "its output has no `SecretAccessKey`" };
  const expirationText = text_("expiration");
  let expiration;
  if (expirationText !== void 0) {
    expiration = new Date(expirationText);
    if (!RFC3339.test(expirationText) || Number.isNaN(expiration.getTime()))
      return { ok: false, reason: "its `Expiration` is not an RFC 3339 date-time" };
  }
  const sessionToken = text_("sessiontoken");
  const accountId = text_("accountid");
  return {
    ok: true,
    credentials: { accessKeyId, secretAccessKey, ...sessionToken !== void 0 ? { sessionToken } : {}, ...expiration ? { expiration } : {}, ...accountId !== void 0 ? { accountId } : {} }
  };
}

// dist/report/redact.js
init_import_meta_url();
var REDACTED = "[REDACTED]";
var SECRET_PATTERNS = [
  /bedrock-api-key-[A-Za-z0-9+/=_%&.-]{8,}/g,
  /\bABSK[A-Za-z0-9+/=]{12,}/g,
  /(\bBearer\s+)[^\s"',;]{6,}/gi,
  /(\bAuthorization["']?\s*[:=]\s*["']?)[^"'\r\n]{6,}/gi,
  /(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"']+/gi,
  /(\bSignature=)[0-9a-f]{16,}/gi,
  // Not a <placeholder> in advice ("AWS_SECRET_ACCESS_KEY=<secret access key>"): real keys never start with '<'.
  /(aws_secret_access_key\s*=\s*)(?!<)\S+/gi,
  /(aws_session_token\s*=\s*)(?!<)\S+/gi,
  // A SigV4 signature (or any SHA-256 in hex) echoed back bare by a server, without its X-Amz-Signature= name.
  /\b[0-9a-f]{64}\b/g,
  // user:password in a URL (base_url, AWS_ENDPOINT_URL*, a proxy): the password is a credential.
  /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*(?=@)/gi,
  // A proxy's 407 may quote the Proxy-Authorization header it was sent.
  /(\bProxy-Authorization["']?\s*[:=]\s*["']?)[^"'\r\n]{4,}/gi
];
var ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA)[A-Z0-9]{12,}\b/g;
var MIN_SECRET_LENGTH = 8;
var Redactor = class {
  secrets = /* @__PURE__ */ new Set();
  add(value) {
    if (!value)
      return;
    for (const variant of [value, value.trim(), value.trim().replace(/^["']|["']$/g, ""), encodeURIComponent(value.trim())]) {
      if (variant.length >= MIN_SECRET_LENGTH)
        this.secrets.add(variant);
    }
  }
  scrub(text2) {
    let result = text2;
    [...this.secrets].sort((a, b) => b.length - a.length).forEach((secret) => {
      result = result.split(secret).join(REDACTED);
    });
    for (const pattern of SECRET_PATTERNS) {
      result = result.replace(pattern, (_match, prefix) => `${typeof prefix === "string" ? prefix : ""}${REDACTED}`);
    }
    return result.replace(ACCESS_KEY_ID, (akid) => accessKeyHint(akid));
  }
  /** Scrubs every string inside a JSON-like value. */
  scrubDeep(value) {
    if (typeof value === "string")
      return this.scrub(value);
    if (Array.isArray(value))
      return value.map((item) => this.scrubDeep(item));
    if (value && typeof value === "object" && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrubDeep(item)]));
    }
    return value;
  }
};
var SECRET_KEY_SEGMENT = /^(http_headers|env_http_headers|env|auth|args|command|credential_process)$/i;
function isSecretKeyPath(path) {
  return path.some((segment) => isSecretName(segment) || SECRET_KEY_SEGMENT.test(segment));
}
function addSecretConfigValues(redactor, table, underSecret) {
  Object.entries(table).forEach(([key, value]) => {
    const secret = underSecret || isSecretKeyPath([key]);
    if (isTable2(value))
      addSecretConfigValues(redactor, value, secret);
    else if (secret && typeof value === "string")
      redactor.add(value);
    else if (secret && Array.isArray(value))
      value.forEach((item) => typeof item === "string" ? redactor.add(item) : isTable2(item) && addSecretConfigValues(redactor, item, true));
  });
}
function scanValue(text2, state) {
  let { depth, multiline } = state;
  for (let i = 0; i < text2.length; i++) {
    if (multiline) {
      if (text2[i] === "\\" && multiline === '"""')
        i++;
      else if (text2.startsWith(multiline, i)) {
        i += 2;
        multiline = null;
      }
      continue;
    }
    const c = text2[i];
    if (text2.startsWith('"""', i) || text2.startsWith("'''", i)) {
      multiline = text2.slice(i, i + 3);
      i += 2;
    } else if (c === '"' || c === "'") {
      for (i++; i < text2.length && text2[i] !== c; i++)
        if (c === '"' && text2[i] === "\\")
          i++;
    } else if (c === "#")
      break;
    else if (c === "[" || c === "{")
      depth++;
    else if (c === "]" || c === "}")
      depth = Math.max(0, depth - 1);
  }
  return { depth, multiline };
}
function keyEnd(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote)
        quote = null;
    } else if (c === '"' || c === "'")
      quote = c;
    else if (c === "=")
      return i;
  }
  return -1;
}
function maskTomlText(text2) {
  let table = [];
  let open = null;
  return text2.split(/\r?\n/).map((line) => {
    if (open) {
      const secret2 = open.secret;
      open.state = scanValue(line, open.state);
      if (open.state.depth === 0 && !open.state.multiline)
        open = null;
      return secret2 ? `  ${REDACTED}` : line;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#"))
      return line;
    const header2 = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header2) {
      table = splitKeyPath(header2[1]) ?? [header2[1]];
      return line;
    }
    const equals = keyEnd(line);
    const key = equals > 0 ? splitKeyPath(line.slice(0, equals)) : null;
    if (!key)
      return `# ${REDACTED} (a line that is not a TOML header or key = value, ${line.length} characters)`;
    const secret = isSecretKeyPath([...table, ...key]);
    const state = scanValue(line.slice(equals + 1), { depth: 0, multiline: null });
    if (state.depth > 0 || state.multiline)
      open = { secret, state };
    return secret ? `${line.slice(0, equals + 1)} "${REDACTED}"` : line;
  }).join("\n");
}
function redactorForSetup(setup, shellEnv) {
  const redactor = new Redactor();
  Object.entries(shellEnv).forEach(([name, value]) => isSecretName(name) && redactor.add(value));
  if (!setup)
    return redactor;
  Object.entries(setup.env.toRecord()).forEach(([name, value]) => isSecretName(name) && redactor.add(value));
  setup.env.dotenv.parse?.entries.forEach((entry) => isSecretName(entry.key) && redactor.add(entry.value));
  redactor.add(setup.storedLogin.bedrockKey);
  redactor.add(setup.storedLogin.accessKeys?.secretAccessKey);
  redactor.add(setup.storedLogin.accessKeys?.sessionToken);
  redactor.add(setup.auth.bearerKey?.value);
  setup.layers.forEach((layer) => addSecretConfigValues(redactor, layer.table, false));
  [setup.awsConfig, setup.awsCredentials].forEach((file) => file.profiles.forEach((profile) => profile.values.forEach((entry, key) => {
    if (isSecretName(key))
      redactor.add(entry.value);
  })));
  return redactor;
}
var LIKELY_SECRET_ASSIGNMENT = /((?:secret|token|password|passwd|key|credential|session|auth)[\w-]*["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi;
var LONG_OPAQUE_STRING = /[A-Za-z0-9+/=._-]{24,}/g;
function maskLikelySecrets(text2) {
  return text2.replace(LIKELY_SECRET_ASSIGNMENT, (_match, prefix) => `${prefix}${REDACTED}`).replace(LONG_OPAQUE_STRING, REDACTED);
}

// dist/net/authCommand.js
init_import_meta_url();
var import_node_path7 = require("node:path");

// dist/net/boundedProcess.js
init_import_meta_url();
var DEFAULT_MAX_OUTPUT = 256 * 1024;
var running = /* @__PURE__ */ new Set();
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}
var hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled)
    return;
  hooksInstalled = true;
  process.on("exit", () => running.forEach(killGroup));
  process.on("SIGINT", () => {
    running.forEach(killGroup);
    process.exit(130);
  });
}
function describeRun(run2, timeoutMs) {
  if (run2.spawnError)
    return `it could not be started (${run2.spawnError})`;
  if (run2.truncated)
    return "it printed far more than a credential and was stopped";
  if (run2.timedOut)
    return `it did not finish within ${timeoutMs >= 1e3 ? `${Math.round(timeoutMs / 100) / 10} s` : `${timeoutMs} ms`} and was killed`;
  if (run2.signal)
    return `it was killed by ${run2.signal}`;
  return `exit status ${run2.code}`;
}
async function runBounded(spec) {
  const { spawn } = await __codexBedrockImport("node:child_process");
  const cap = spec.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  installExitHooks();
  return new Promise((resolve9) => {
    const stdout = [];
    let stdoutBytes = 0;
    let stderr = "";
    let truncated = false;
    let timedOut = false;
    let child;
    try {
      child = spawn(spec.file, [...spec.args], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: spec.env, windowsHide: true, ...spec.cwd ? { cwd: spec.cwd } : {} });
    } catch (error) {
      resolve9({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: "", timedOut: false, truncated: false, spawnError: error.code ?? String(error) });
      return;
    }
    running.add(child);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, spec.timeoutMs);
    child.stdout.on("data", (chunk) => {
      if (stdoutBytes + chunk.length > cap) {
        truncated = true;
        stdout.push(chunk.subarray(0, Math.max(0, cap - stdoutBytes)));
        stdoutBytes = cap;
        killGroup(child);
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 16 * 1024)
        stderr += chunk.toString("utf8");
    });
    let spawnError;
    let done = false;
    const finish = (code, signal) => {
      if (done)
        return;
      done = true;
      clearTimeout(timer);
      running.delete(child);
      resolve9({
        code: spawnError ? null : code,
        signal: spawnError ? null : signal,
        stdout: Buffer.concat(stdout),
        stderr: stderr.slice(0, 16 * 1024),
        timedOut,
        truncated,
        ...spawnError ? { spawnError } : {}
      });
    };
    child.on("error", (error) => {
      spawnError = error.code ?? error.message;
      if (child.pid === void 0)
        finish(null, null);
    });
    child.on("close", finish);
  });
}

// dist/net/authCommand.js
function display(command2) {
  return command2.args.length > 0 ? `${command2.command} \u2026` : command2.command;
}
async function run(command2, env3, timeoutMs) {
  const file = command2.command.includes("/") && !(0, import_node_path7.isAbsolute)(command2.command) && command2.cwd ? (0, import_node_path7.resolve)(command2.cwd, command2.command) : command2.command;
  return runBounded({ file, args: command2.args, env: env3, timeoutMs, ...command2.cwd ? { cwd: command2.cwd } : {} });
}
function failure(command2, result, timeoutMs, limitNote) {
  const said = maskLikelySecrets(result.stderr.trim().split("\n")[0] ?? "").slice(0, 200);
  const notExecutable = result.spawnError === "EACCES" ? " (the file is not executable)" : result.spawnError === "ENOENT" ? " (no such program)" : "";
  return `\`${display(command2)}\` failed: ${describeRun(result, timeoutMs)}${notExecutable}${result.timedOut ? limitNote : ""}${said ? `; its first line of error output: ${said}` : ""}`;
}
async function runAuthCommand(command2, env3, doctorTimeoutMs) {
  const codexLimit = command2.timeoutMs ?? doctorTimeoutMs;
  const timeoutMs = Math.min(codexLimit, doctorTimeoutMs);
  const limitNote = timeoutMs < codexLimit ? ` (the doctor's --timeout; Codex would wait up to timeout_ms = ${codexLimit})` : " (Codex gives up at the same point)";
  const result = await run(command2, env3, timeoutMs);
  if (result.code !== 0)
    return { ok: false, reason: failure(command2, result, timeoutMs, limitNote) };
  const token = result.stdout.toString("utf8").trim();
  if (token === "")
    return { ok: false, reason: `\`${display(command2)}\` exited 0 but printed nothing` };
  return { ok: true, value: token, ranFor: display(command2) };
}
async function runCredentialExport(command2, env3, timeoutMs) {
  const result = await run(command2, env3, timeoutMs);
  if (result.code !== 0)
    return { ok: false, reason: failure(command2, result, timeoutMs, " (the doctor's --timeout; Codex itself would keep waiting)") };
  const parsed = parseProcessCredentials(result.stdout.toString("utf8"));
  if (!parsed.ok)
    return { ok: false, reason: `\`${display(command2)}\` ran, but ${parsed.reason}` };
  return { ok: true, value: parsed.credentials, ranFor: display(command2) };
}

// dist/net/sso.js
init_import_meta_url();
function ssoEndpoints(env3, ssoRegion) {
  const pick = (name) => env3.get(name)?.trim() || env3.get("AWS_ENDPOINT_URL")?.trim();
  return {
    portal: pick("AWS_ENDPOINT_URL_SSO") || `https://portal.sso.${ssoRegion}.amazonaws.com`,
    oidc: pick("AWS_ENDPOINT_URL_SSO_OIDC") || `https://oidc.${ssoRegion}.amazonaws.com`
  };
}
async function request(url, init) {
  const { agent } = await proxyAgentFor(url, init.env);
  const transport = url.protocol === "https:" ? await __codexBedrockImport("node:https") : await __codexBedrockImport("node:http");
  return new Promise((resolve9) => {
    const req = transport.request(url, { method: init.method, headers: { ...init.headers, ...init.body ? { "content-length": String(Buffer.byteLength(init.body)) } : {} }, agent, signal: AbortSignal.timeout(init.timeoutMs) }, (response) => {
      const chunks = [];
      let size = 0;
      response.on("data", (chunk) => {
        size += chunk.length;
        if (size <= 256 * 1024)
          chunks.push(chunk);
      });
      response.on("end", () => resolve9({ ok: true, status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", (error) => resolve9({ ok: false, failure: classifyNetworkError(error) }));
    });
    req.on("error", (error) => resolve9({ ok: false, failure: classifyNetworkError(error) }));
    req.end(init.body);
  });
}
var joinPath = (base, path) => new URL(`${base.replace(/\/+$/, "")}${path}`);
function errorType(answer) {
  const header2 = answer.headers["x-amzn-errortype"];
  const fromHeader = (Array.isArray(header2) ? header2[0] : header2)?.split(":")[0];
  if (fromHeader)
    return fromHeader;
  try {
    const body2 = JSON.parse(answer.body);
    return String(body2.__type ?? body2.error ?? `HTTP ${answer.status}`).split("#").pop();
  } catch {
    return `HTTP ${answer.status}`;
  }
}
function networkReason(failure2, what, url, timeoutMs) {
  return { ok: false, errorType: null, reason: explainNetworkFailure(failure2, what, url.host, Math.round(timeoutMs / 1e3)).summary };
}
async function refreshSsoToken(token, options) {
  const url = joinPath(options.oidcEndpoint, "/token");
  const body2 = JSON.stringify({ clientId: token.clientId, clientSecret: token.clientSecret, grantType: "refresh_token", refreshToken: token.refreshToken });
  const answer = await request(url, { method: "POST", headers: { "content-type": "application/json" }, body: body2, timeoutMs: options.timeoutMs, env: options.env });
  if (!answer.ok)
    return networkReason(answer.failure, "The SSO-OIDC service", url, options.timeoutMs);
  if (answer.status !== 200)
    return { ok: false, errorType: errorType(answer), reason: `SSO-OIDC refused the token refresh (${errorType(answer)})` };
  try {
    const parsed = JSON.parse(answer.body);
    if (typeof parsed.accessToken !== "string" || typeof parsed.expiresIn !== "number")
      return { ok: false, errorType: null, reason: "SSO-OIDC answered without an access token" };
    return {
      ok: true,
      value: { ...token, accessToken: parsed.accessToken, expiresAt: new Date(options.now.getTime() + parsed.expiresIn * 1e3), ...typeof parsed.refreshToken === "string" ? { refreshToken: parsed.refreshToken } : {} }
    };
  } catch {
    return { ok: false, errorType: null, reason: "SSO-OIDC answered with something that is not JSON" };
  }
}
async function getRoleCredentials(accessToken, options) {
  const url = joinPath(options.portalEndpoint, `/federation/credentials?${new URLSearchParams({ account_id: options.accountId, role_name: options.roleName })}`);
  const answer = await request(url, { method: "GET", headers: { "x-amz-sso_bearer_token": accessToken, accept: "application/json" }, timeoutMs: options.timeoutMs, env: options.env });
  if (!answer.ok)
    return networkReason(answer.failure, "The SSO portal", url, options.timeoutMs);
  if (answer.status !== 200)
    return { ok: false, errorType: errorType(answer), reason: `the SSO portal refused GetRoleCredentials (${errorType(answer)}, HTTP ${answer.status})` };
  try {
    const parsed = JSON.parse(answer.body).roleCredentials;
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = parsed ?? {};
    if (typeof accessKeyId !== "string" || typeof secretAccessKey !== "string" || typeof expiration !== "number") {
      return { ok: false, errorType: null, reason: "the SSO portal answered without role credentials" };
    }
    return { ok: true, value: { accessKeyId, secretAccessKey, ...typeof sessionToken === "string" ? { sessionToken } : {}, expiration: new Date(expiration) } };
  } catch {
    return { ok: false, errorType: null, reason: "the SSO portal answered with something that is not JSON" };
  }
}

// dist/net/stsAssume.js
init_import_meta_url();
async function client(options, credentials) {
  const { STSClient } = await __codexBedrockImport("@aws-sdk/client-sts");
  const { agent } = await proxyAgentFor(new URL(options.endpoint.url), options.env);
  const sts = new STSClient({
    ...agent ? { requestHandler: { httpAgent: agent, httpsAgent: agent } } : {},
    region: options.region,
    maxAttempts: 1,
    // AssumeRoleWithWebIdentity is unsigned; these placeholders keep the SDK from looking for credentials itself.
    credentials: credentials ?? { accessKeyId: "unsigned", secretAccessKey: "unsigned" },
    ...options.endpoint.overridden ? { endpoint: options.endpoint.url } : {}
  });
  sts.middlewareStack.use(cappedBodyPlugin());
  return sts;
}
function toCredentials(answer) {
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey)
    return { ok: false, error: new Error("STS answered without credentials") };
  return { ok: true, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...c.SessionToken ? { sessionToken: c.SessionToken } : {}, ...c.Expiration ? { expiration: c.Expiration } : {} } };
}
var defaultSessionName = (prefix, now) => `${prefix}-${now.getTime()}`;
async function assumeRole(source, role, options) {
  const { AssumeRoleCommand } = await __codexBedrockImport("@aws-sdk/client-sts");
  const sts = await client(options, source);
  try {
    const command2 = new AssumeRoleCommand({ RoleArn: role.roleArn, RoleSessionName: role.sessionName, ...role.externalId !== void 0 ? { ExternalId: role.externalId } : {} });
    return toCredentials(await sts.send(command2, { abortSignal: AbortSignal.timeout(options.timeoutMs) }));
  } catch (error) {
    return { ok: false, error };
  } finally {
    sts.destroy();
  }
}
async function assumeRoleWithWebIdentity(input, options) {
  const { AssumeRoleWithWebIdentityCommand } = await __codexBedrockImport("@aws-sdk/client-sts");
  const sts = await client(options, null);
  try {
    const command2 = new AssumeRoleWithWebIdentityCommand({ RoleArn: input.roleArn, RoleSessionName: input.sessionName, WebIdentityToken: input.token });
    return toCredentials(await sts.send(command2, { abortSignal: AbortSignal.timeout(options.timeoutMs) }));
  } catch (error) {
    return { ok: false, error };
  } finally {
    sts.destroy();
  }
}

// dist/net/iamCredentials.js
var IMDS_TIMEOUT_MS = 500;
var MAX_TOKEN_BYTES = 64 * 1024;
var ResolveFailure = class extends Error {
  failure;
  constructor(failure2) {
    super(failure2.reason);
    this.failure = failure2;
  }
};
var failWith = (source, profile, reason, fix) => {
  throw new ResolveFailure({ ok: false, source, profile, reason, fix });
};
var firstLine = (text2) => maskLikelySecrets(text2.trim().split("\n")[0] ?? "").slice(0, 200);
function stsProblem(error, what, ctx, source, profile, fix) {
  const network = classifyNetworkError(error);
  if (network.kind !== "other") {
    const explained = explainNetworkFailure(network, "AWS STS", new URL(ctx.sts.url).host, Math.round(ctx.options.timeoutMs / 1e3));
    return failWith(source, profile, `${what}: ${explained.summary}`, explained.fix);
  }
  const name = error instanceof Error ? error.name : "Error";
  const message2 = error instanceof Error ? error.message : String(error);
  return failWith(source, profile, `${what}: STS answered ${name}: ${firstLine(message2)}`, fix);
}
async function runCredentialProcess(base, ctx) {
  const run2 = await runBounded({ file: "sh", args: ["-c", base.command], env: ctx.setup.env.toRecord(), timeoutMs: ctx.options.timeoutMs });
  const profile = base.profile;
  const fix = `Run the credential_process command of profile ${profile} by hand and fix what it reports; it must print JSON with Version 1, AccessKeyId and SecretAccessKey.`;
  if (run2.code !== 0) {
    const said = firstLine(run2.stderr);
    const timeoutNote = run2.timedOut ? " (Codex itself would wait for it without a limit)" : "";
    return failWith("process", profile, `credential_process of profile ${profile} failed (${describeRun(run2, ctx.options.timeoutMs)})${timeoutNote}${said ? `; its first line of error output: ${said}` : ""}`, fix);
  }
  let text2;
  try {
    text2 = new TextDecoder("utf-8", { fatal: true }).decode(run2.stdout);
  } catch {
    return failWith("process", profile, `credential_process of profile ${profile} printed something that is not UTF-8 text`, fix);
  }
  const parsed = parseProcessCredentials(text2);
  if (!parsed.ok)
    return failWith("process", profile, `credential_process of profile ${profile} ran, but ${parsed.reason}`, fix);
  return parsed.credentials;
}
async function ssoCredentials(base, ctx) {
  const { env: env3 } = ctx.setup;
  const login = `Run: aws sso login --profile ${base.profile}`;
  const home = env3.get("HOME") || ctx.options.homeDir;
  const path = ssoCachePath(home, base.session ?? base.startUrl);
  const cached = parseCachedToken(ctx.options.readFile(path));
  if (!cached.ok)
    return failWith("sso", base.profile, `the IAM Identity Center (SSO) session of profile ${base.profile} is missing or expired: ${cached.reason}`, login);
  const now = ctx.options.now();
  const endpoints = ssoEndpoints(env3, base.region);
  const notes = [];
  let token = cached.token;
  if (base.session !== null) {
    const decision = decideTokenUse(token, now);
    if (decision.action === "expired") {
      return failWith("sso", base.profile, `the IAM Identity Center (SSO) session of profile ${base.profile} expired at ${token.expiresAt.toISOString()} and cannot be refreshed`, login);
    }
    if (decision.action === "refresh") {
      const refreshed = await refreshSsoToken(token, { oidcEndpoint: endpoints.oidc, timeoutMs: ctx.options.timeoutMs, env: env3, now });
      if (refreshed.ok) {
        token = refreshed.value;
        notes.push(`the cached SSO access token expires at ${cached.token.expiresAt.toISOString()}; Codex refreshes it with the refresh token (SSO-OIDC ${endpoints.oidc}) and saves it to ${path}; the doctor refreshed it in memory only and wrote nothing`);
      } else {
        notes.push(`refreshing the SSO access token failed (${refreshed.reason}); Codex then goes on with the cached token`);
      }
    }
  }
  const role = await getRoleCredentials(token.accessToken, { portalEndpoint: endpoints.portal, accountId: base.accountId, roleName: base.roleName, timeoutMs: ctx.options.timeoutMs, env: env3 });
  if (!role.ok) {
    if (role.errorType === "UnauthorizedException")
      return failWith("sso", base.profile, `the IAM Identity Center (SSO) session of profile ${base.profile} has expired or was signed out (the SSO portal said UnauthorizedException)`, login);
    if (role.errorType === "ForbiddenException") {
      return failWith("sso", base.profile, `the SSO portal refused role ${base.roleName} in account ${base.accountId} (ForbiddenException): the signed-in user may not use that permission set`, `Check sso_account_id and sso_role_name of profile ${base.profile} (aws sso list-account-roles).`);
    }
    return failWith("sso", base.profile, `getting SSO role credentials for profile ${base.profile} failed at ${endpoints.portal}: ${role.reason}`, `Check AWS_ENDPOINT_URL_SSO and the network path to the SSO portal; then ${login.replace("Run: ", "")}.`);
  }
  return { credentials: role.value, notes };
}
async function webIdentity(input, ctx) {
  const read = ctx.options.readFile(input.tokenFile);
  const named = input.tokenFileVariable ?? `web_identity_token_file of profile ${input.profile}`;
  if (read.status !== "ok")
    return failWith("web-identity", input.profile, `the web identity token file ${input.tokenFile} (${named}) ${read.status === "missing" ? "does not exist" : `cannot be read (${read.reason})`}`, "Point it at the token your platform writes (GitHub Actions OIDC, EKS IRSA).");
  if (read.size > MAX_TOKEN_BYTES || read.text.trim() === "")
    return failWith("web-identity", input.profile, `the web identity token file ${input.tokenFile} (${named}) is ${read.text.trim() === "" ? "empty" : "far too large"}`, "Point it at the token your platform writes.");
  const result = await assumeRoleWithWebIdentity({ roleArn: input.roleArn, sessionName: input.sessionName, token: read.text.trim() }, { region: ctx.region, endpoint: ctx.sts, timeoutMs: ctx.options.timeoutMs, env: ctx.setup.env });
  if (!result.ok)
    return stsProblem(result.error, `AssumeRoleWithWebIdentity for ${input.roleArn} failed`, ctx, "web-identity", input.profile, "Check that the role trusts this identity provider and that the token has not expired.");
  return result.credentials;
}
function fromSdkIdentity(identity) {
  return { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, ...identity.sessionToken ? { sessionToken: identity.sessionToken } : {}, ...identity.expiration ? { expiration: identity.expiration } : {} };
}
async function containerCredentials(ctx) {
  const { env: env3 } = ctx.setup;
  const full = env3.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI")?.value;
  const relative3 = env3.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")?.value;
  const tokenFile = env3.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")?.value;
  const token = env3.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN")?.value;
  if (tokenFile) {
    const read = ctx.options.readFile(tokenFile);
    if (read.status !== "ok")
      return failWith("container", null, `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names ${tokenFile}, which ${read.status === "missing" ? "does not exist" : `cannot be read (${read.reason})`}`, "On EKS Pod Identity the agent mounts this file; check the pod identity association.");
  }
  try {
    const { fromHttp } = await __codexBedrockImport("@aws-sdk/credential-providers");
    const identity = await fromHttp({
      ...full ? { awsContainerCredentialsFullUri: full } : {},
      ...relative3 ? { awsContainerCredentialsRelativeUri: relative3 } : {},
      ...tokenFile ? { awsContainerAuthorizationTokenFile: tokenFile } : {},
      ...token ? { awsContainerAuthorizationToken: token } : {},
      timeout: ctx.options.timeoutMs,
      maxRetries: 0
    })();
    return fromSdkIdentity(identity);
  } catch (error) {
    const variable2 = full ? "AWS_CONTAINER_CREDENTIALS_FULL_URI" : "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    const missingToken = full && !tokenFile && !token ? "; AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or AWS_CONTAINER_AUTHORIZATION_TOKEN) is not set, and EKS Pod Identity endpoints refuse requests without it" : "";
    const message2 = error instanceof Error ? firstLine(error.message) : String(error);
    return failWith("container", null, `the container credentials endpoint from ${variable2} gave no credentials (${message2})${missingToken}`, missingToken ? "Set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE to the token file the platform mounts (EKS Pod Identity: /var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token)." : `Check ${variable2} and that the credentials endpoint is reachable from here.`);
  }
}
async function instanceCredentials(ctx) {
  if ((ctx.setup.env.get("AWS_EC2_METADATA_DISABLED") ?? "").trim().toLowerCase() === "true")
    return null;
  try {
    const { fromInstanceMetadata } = await __codexBedrockImport("@aws-sdk/credential-providers");
    const identity = await fromInstanceMetadata({ timeout: Math.min(IMDS_TIMEOUT_MS, ctx.options.timeoutMs), maxRetries: 0 })();
    return fromSdkIdentity(identity);
  } catch {
    return null;
  }
}
function envKeyCredentials(ctx) {
  const { env: env3 } = ctx.setup;
  const accessKeyId = env3.nonEmpty("AWS_ACCESS_KEY_ID")?.value.trim();
  const secretAccessKey = env3.nonEmpty("AWS_SECRET_ACCESS_KEY")?.value.trim();
  if (!accessKeyId || !secretAccessKey)
    return null;
  const token = env3.nonEmpty("AWS_SESSION_TOKEN")?.value;
  const expiry = env3.nonEmpty("AWS_CREDENTIAL_EXPIRATION")?.value;
  return { accessKeyId, secretAccessKey, ...token ? { sessionToken: token.trim() } : {}, ...expiry && !Number.isNaN(Date.parse(expiry)) ? { expiration: new Date(expiry) } : {} };
}
async function namedSource(base, ctx) {
  const name = base.source.toLowerCase();
  if (name === "environment") {
    const keys = envKeyCredentials(ctx);
    return keys ? { credentials: keys, kind: "env-keys" } : failWith("env-keys", base.profile, `profile ${base.profile} has credential_source = Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set`, "Export the source access keys, or use source_profile instead.");
  }
  if (name === "ecscontainer")
    return { credentials: await containerCredentials(ctx), kind: "container" };
  if (name === "ec2instancemetadata") {
    const found = await instanceCredentials(ctx);
    return found ? { credentials: found, kind: "instance-metadata" } : failWith("instance-metadata", base.profile, `profile ${base.profile} has credential_source = Ec2InstanceMetadata, but instance metadata gave no credentials`, "Run where an instance role is attached, or use source_profile.");
  }
  return failWith(null, base.profile, `profile ${base.profile} has credential_source = ${base.source}, which is not one of Environment, EcsContainer, Ec2InstanceMetadata`, "Fix credential_source.");
}
async function awsLoginCredentials(base, ctx) {
  try {
    const { fromLoginCredentials } = await __codexBedrockImport("@aws-sdk/credential-providers");
    const identity = await fromLoginCredentials({ profile: base.profile, filepath: ctx.setup.awsCredentials.path, configFilepath: ctx.setup.awsConfig.path })();
    return fromSdkIdentity(identity);
  } catch (error) {
    return failWith("aws-login", base.profile, `the aws login session of profile ${base.profile} is missing or expired: ${firstLine(error instanceof Error ? error.message : String(error))}`, `Run: aws login --profile ${base.profile}`);
  }
}
async function runChain(chain, ctx, selected) {
  const { base } = chain;
  let credentials;
  let kind = BASE_SOURCE_KIND[base.kind];
  let notes = [];
  switch (base.kind) {
    case "static":
      credentials = { accessKeyId: base.accessKeyId, secretAccessKey: base.secretAccessKey, ...base.sessionToken ? { sessionToken: base.sessionToken } : {} };
      break;
    case "process":
      credentials = await runCredentialProcess(base, ctx);
      break;
    case "sso":
      ({ credentials, notes } = await ssoCredentials(base, ctx));
      break;
    case "web-identity":
      credentials = await webIdentity({ ...base, sessionName: base.sessionName ?? defaultSessionName("web-identity-token-profile", ctx.options.now()) }, ctx);
      break;
    case "aws-login":
      credentials = await awsLoginCredentials(base, ctx);
      break;
    case "named-source":
      ({ credentials, kind } = await namedSource(base, ctx));
      break;
  }
  for (const role of chain.roles) {
    const result = await assumeRole(credentials, { roleArn: role.roleArn, sessionName: role.sessionName ?? defaultSessionName("assume-role-from-profile", ctx.options.now()), ...role.externalId !== void 0 ? { externalId: role.externalId } : {} }, { region: ctx.region, endpoint: ctx.sts, timeoutMs: ctx.options.timeoutMs, env: ctx.setup.env });
    if (!result.ok)
      return stsProblem(result.error, `assuming role ${role.roleArn} (profile ${role.profile}) failed`, ctx, "assume-role", selected, `Check the source credentials of profile ${role.profile} and that they may assume its role_arn.`);
    credentials = result.credentials;
    kind = "assume-role";
  }
  return { ...credentials, source: kind, profile: selected, ...notes.length > 0 ? { notes } : {} };
}
function profileFailure(error, setup) {
  if (error.code === "missing-profile") {
    const existing = existingProfiles(setup);
    return {
      ok: false,
      source: null,
      profile: error.profile,
      reason: error.message,
      fix: existing.length > 0 ? `Use one of the profiles that exist: ${existing.join(", ")}; or create it: aws configure --profile ${error.profile}` : `Create it: aws configure --profile ${error.profile} (or aws configure sso --profile ${error.profile})`
    };
  }
  if (error.code === "missing-source-profile")
    return { ok: false, source: "assume-role", profile: error.profile, reason: error.message, fix: `Create the source profile, or fix source_profile in profile ${error.profile}.` };
  if (error.code === "no-credentials")
    return { ok: false, source: null, profile: error.profile, reason: error.message, fix: `Add credentials to profile ${error.profile} (aws configure --profile ${error.profile}) or point Codex at another profile.` };
  return { ok: false, source: null, profile: error.profile, reason: error.message, fix: "Fix the AWS config file as the message says; Codex refuses the profile until then." };
}
async function restOfDefaultChain(ctx, profileError) {
  const { env: env3 } = ctx.setup;
  const tokenFile = env3.nonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE")?.value;
  const roleArn = env3.nonEmpty("AWS_ROLE_ARN")?.value;
  if (tokenFile) {
    if (!roleArn)
      return failWith("web-identity", null, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; Codex stops there", "Set AWS_ROLE_ARN to the role the token may assume (GitHub Actions: role-to-assume; EKS IRSA sets it for you).");
    const sessionName = env3.nonEmpty("AWS_ROLE_SESSION_NAME")?.value ?? defaultSessionName("web-identity-token", ctx.options.now());
    const credentials = await webIdentity({ roleArn, tokenFile, sessionName, profile: null, tokenFileVariable: "AWS_WEB_IDENTITY_TOKEN_FILE" }, ctx);
    return { ok: true, credentials: { ...credentials, source: "web-identity", profile: null } };
  }
  if (env3.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") || env3.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    return { ok: true, credentials: { ...await containerCredentials(ctx), source: "container", profile: null } };
  }
  const instance = await instanceCredentials(ctx);
  if (instance)
    return { ok: true, credentials: { ...instance, source: "instance-metadata", profile: null } };
  if (profileError && profileError.code !== "no-profiles")
    return profileFailure(profileError, ctx.setup);
  const halfSet = [
    roleArn ? "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not" : null,
    env3.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") || env3.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN") ? "a container authorization token is set but neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is" : null,
    env3.nonEmpty("AWS_ACCESS_KEY_ID") && !env3.nonEmpty("AWS_SECRET_ACCESS_KEY") ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" : null,
    env3.nonEmpty("AWS_SECRET_ACCESS_KEY") && !env3.nonEmpty("AWS_ACCESS_KEY_ID") ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not" : null
  ].filter((note) => note !== null);
  if (halfSet.length > 0)
    return { ok: false, source: null, profile: null, reason: `no AWS credentials: ${halfSet.join("; ")}`, fix: "Set the missing variable named above, or remove the half-set ones." };
  return {
    ok: false,
    source: null,
    profile: null,
    reason: "no AWS credentials were found anywhere in the credential chain (environment, shared files, SSO, web identity, container, instance metadata)",
    fix: "Set AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key, or configure IAM credentials: aws configure, aws sso login --profile NAME (then AWS_PROFILE=NAME), or aws login."
  };
}
function filesReadWhileResolving(setup, homeDir) {
  const profiles = [setup.awsConfig, setup.awsCredentials].flatMap((file) => [...file.profiles.values()]);
  const home = setup.env.get("HOME") || homeDir;
  const ssoCaches = profiles.flatMap((profile) => [profile.values.get("sso_session")?.value, profile.values.get("sso_start_url")?.value]).filter((key) => Boolean(key)).map((key) => ssoCachePath(home, key));
  return [
    ...ssoCaches,
    setup.awsConfig.path,
    setup.awsCredentials.path,
    setup.env.get("AWS_WEB_IDENTITY_TOKEN_FILE"),
    setup.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
    ...profiles.map((profile) => profile.values.get("web_identity_token_file")?.value)
  ].filter((path) => typeof path === "string" && path.trim() !== "");
}
async function exportedCredentials(ctx) {
  const plan = ctx.setup.auth;
  const fix = "Fix the aws.credential_export command (run it by hand: it must print JSON with Version 1, AccessKeyId and SecretAccessKey), or remove it to let Codex use the other credentials.";
  if (!plan.credentialExport)
    return failWith("credential-export", null, `model_providers.amazon-bedrock.aws.credential_export cannot be used: ${plan.commandProblem ?? "it is malformed"}`, fix);
  const result = await runCredentialExport(plan.credentialExport, ctx.setup.env.toRecord(), ctx.options.timeoutMs);
  if (!result.ok)
    return failWith("credential-export", null, `aws.credential_export ${result.reason}; Codex stops there and does not fall back to other credentials`, fix);
  return { ok: true, credentials: { ...result.value, source: "credential-export", profile: null } };
}
async function resolveIamCredentials(setup, options) {
  const plan = setup.auth;
  const region = typeof setup.region.effective?.value === "string" && setup.region.effective.value.trim() !== "" ? setup.region.effective.value.trim() : "us-east-1";
  const ctx = { setup, options, region, sts: stsEndpoint(setup.env, region) };
  try {
    if (plan.source === "credential-export")
      return await exportedCredentials(ctx);
    const stored = setup.storedLogin.accessKeys;
    if (plan.source === "codex-login-keys" && stored)
      return { ok: true, credentials: { ...stored, source: "codex-login", profile: null } };
    if (plan.source === "env-keys") {
      const keys = envKeyCredentials(ctx);
      if (keys)
        return { ok: true, credentials: { ...keys, source: "env-keys", profile: null } };
    }
    const unsafe = firstUnsafeFile(filesReadWhileResolving(setup, options.homeDir));
    if (unsafe) {
      return { ok: false, source: null, profile: plan.awsProfile?.value ?? null, reason: `${unsafe.path} cannot be used: ${unsafe.reason}; Codex would read it with no limit`, fix: `Replace ${unsafe.path} with a regular file, or point the variable that names it elsewhere.` };
    }
    const selected = plan.awsProfile?.value ?? "default";
    const resolved = resolveProfileChain(setup.awsConfig, setup.awsCredentials, selected);
    if (resolved.ok)
      return { ok: true, credentials: await runChain(resolved.chain, ctx, selected) };
    if (!resolved.error.notLoaded || plan.source === "aws-profile-config")
      return profileFailure(resolved.error, setup);
    return await restOfDefaultChain(ctx, resolved.error);
  } catch (error) {
    if (error instanceof ResolveFailure)
      return error.failure;
    throw error;
  }
}

// dist/net/services.js
function createServices(setup, options) {
  const region = typeof setup.region.effective?.value === "string" ? setup.region.effective.value : "us-east-1";
  const sts = stsEndpoint(setup.env, region);
  let credentials;
  let identity;
  let authToken2;
  const revealed = [];
  const remember = (work, secrets) => work.then((value) => {
    secrets(value).forEach((secret) => secret && revealed.push(secret));
    return value;
  });
  return {
    iamCredentials() {
      credentials ??= remember(resolveIamCredentials(setup, options), (r) => r.ok ? [r.credentials.secretAccessKey, r.credentials.sessionToken] : []);
      return credentials;
    },
    authCommandToken() {
      const command2 = setup.auth.authCommand;
      authToken2 ??= command2 ? remember(runAuthCommand(command2, setup.env.toRecord(), options.timeoutMs), (r) => r.ok ? [r.value] : []) : Promise.resolve({ ok: false, reason: `the auth command cannot be used: ${setup.auth.commandProblem ?? "none is configured"}` });
      return authToken2;
    },
    callerIdentity(resolved) {
      identity ??= getCallerIdentity(resolved, { region, endpoint: sts, timeoutMs: options.timeoutMs, env: setup.env });
      return identity;
    },
    secretsSeen: () => [...revealed],
    mantle: mantleRequest
  };
}
var NO_NETWORK = {
  iamCredentials: () => Promise.reject(new Error("network service used although the network is off")),
  callerIdentity: () => Promise.reject(new Error("network service used although the network is off")),
  authCommandToken: () => Promise.reject(new Error("network service used although the network is off")),
  mantle: () => Promise.reject(new Error("network service used although the network is off")),
  secretsSeen: () => []
};

// dist/report/github.js
init_import_meta_url();

// dist/report/human.js
init_import_meta_url();
var SYMBOLS = {
  pass: { unicode: "\u2714", ascii: "[PASS]" },
  warn: { unicode: "\u26A0", ascii: "[WARN]" },
  fail: { unicode: "\u2716", ascii: "[FAIL]" },
  skip: { unicode: "\u25CB", ascii: "[SKIP]" }
};
var ASCII_REPLACEMENTS = [
  [/[‘’]/g, "'"],
  [/[“”]/g, '"'],
  [/…/g, "..."],
  [/[—–]/g, "-"],
  [/·/g, "-"],
  [/[^\x09\x0a\x0d\x20-\x7e]/g, "?"]
];
function asciiSafe(text2) {
  return ASCII_REPLACEMENTS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text2);
}
var plain = (text2) => text2;
var PLAIN = { bold: plain, gray: plain, cyan: plain, green: plain, yellow: plain, red: plain };
async function paletteFor(colorLevel2) {
  if (colorLevel2 === 0)
    return PLAIN;
  const { Chalk: Chalk2 } = await Promise.resolve().then(() => (init_source(), source_exports));
  const chalk2 = new Chalk2({ level: colorLevel2 });
  return { bold: chalk2.bold, gray: chalk2.gray, cyan: chalk2.cyan, green: chalk2.green, yellow: chalk2.yellow, red: chalk2.red };
}
function colourFor(chalk2, status) {
  return { pass: chalk2.green, warn: chalk2.yellow, fail: chalk2.red, skip: chalk2.gray }[status];
}
var MIN_WRAP_COLUMNS = 40;
function wrapWords(text2, firstWidth, restWidth) {
  const lines = [];
  let current = "";
  for (const word of text2.split(" ")) {
    const limit = lines.length === 0 ? firstWidth : restWidth;
    if (current !== "" && current.trimEnd().length + 1 + word.length > limit) {
      lines.push(current.trimEnd());
      current = word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}
function hanging(prefix, prefixWidth, text2, columns, paint = (t) => t) {
  const pad = " ".repeat(prefixWidth);
  const wrap2 = columns !== void 0 && columns >= MIN_WRAP_COLUMNS && columns - prefixWidth >= 20;
  const pieces = text2.split("\n").flatMap((line) => wrap2 ? wrapWords(line, columns - prefixWidth, columns - prefixWidth) : [line]);
  return pieces.map((piece, index) => `${index === 0 ? prefix : pad}${paint(piece)}`);
}
function verdictLine(report) {
  const networkSkipped = report.checks.some((check) => check.status === "skip" && /--offline/.test(check.skipReason ?? ""));
  if (report.error)
    return `Verdict: the doctor could not finish: ${report.error}`;
  if (report.overallStatus === "fail")
    return "Verdict: Codex will not work with Amazon Bedrock yet. Fix the failures above, then run codex-bedrock doctor again.";
  const proven = networkSkipped ? " (network checks were skipped: run without --offline to prove it end to end)" : "";
  if (report.overallStatus === "warn")
    return `Verdict: Codex should work with Amazon Bedrock, but read the warnings above${proven}.`;
  return `Verdict: Codex should work with Amazon Bedrock on this machine${proven}.`;
}
function countLine(report, separator) {
  const s = report.summary;
  const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
  return [`${s.pass} passed`, plural(s.warn, "warning"), `${s.fail} failed`, `${s.skip} skipped`].join(separator);
}
function idColumnWidth(ids) {
  return Math.max(...ids.map((id) => id.length));
}
function safePalette(palette, style) {
  const safe = style.unicode ? (text2) => text2 : asciiSafe;
  const chalk2 = Object.fromEntries(Object.entries(palette).map(([name, paint]) => [name, (text2) => paint(safe(text2))]));
  return { chalk: chalk2, safe };
}
function renderHeader(report, style, palette = PLAIN, setupRows2 = []) {
  const { chalk: chalk2, safe } = safePalette(palette, style);
  const lines = [];
  const setup = report.setup;
  lines.push(chalk2.bold(`codex-bedrock doctor ${report.tool.version}`));
  if (setup.codexHome)
    lines.push(chalk2.gray(`Codex home: ${setup.codexHome}${setup.profile ? `  profile: ${setup.profile}` : ""}`));
  if (style.verbose && setupRows2.length > 0) {
    lines.push("", chalk2.bold("Effective setup (value, then where it comes from):"));
    const nameWidth = Math.max(...setupRows2.map((row) => row.what.length));
    for (const row of setupRows2) {
      const prefix = `  ${row.what.padEnd(nameWidth)}  `;
      lines.push(...hanging(safe(prefix), prefix.length, safe(`${row.value}  ${row.from === "-" ? "" : `(${row.from})`}`.trimEnd()), style.columns));
    }
  }
  lines.push("");
  return `${lines.join("\n")}
`;
}
function renderCheck(check, idWidth, style, palette = PLAIN) {
  const { chalk: chalk2, safe } = safePalette(palette, style);
  const lines = [];
  const symbol = style.unicode ? SYMBOLS[check.status].unicode : SYMBOLS[check.status].ascii;
  const colour = colourFor(chalk2, check.status);
  const head = `${colour(symbol)} ${chalk2.bold(check.id.padEnd(idWidth))}  `;
  const headWidth = symbol.length + 1 + idWidth + 2;
  lines.push(...hanging(head, headWidth, safe(check.summary), style.columns, check.status === "skip" ? chalk2.gray : (text2) => text2));
  const pad = " ".repeat(style.unicode ? 4 : 7);
  const problem = check.status === "fail" || check.status === "warn";
  if (problem && check.remediation)
    lines.push(...hanging(`${pad}${chalk2.cyan("fix:")} `, pad.length + 5, safe(check.remediation), style.columns));
  if (style.verbose)
    check.details.forEach((detail) => lines.push(...hanging(`${pad}${chalk2.gray("-")} `, pad.length + 2, safe(detail), style.columns)));
  if (problem && check.docs)
    lines.push(...hanging(pad, pad.length, `docs: ${check.docs}`, style.columns, chalk2.gray));
  return `${lines.join("\n")}
`;
}
function renderFooter(report, style, palette = PLAIN) {
  const { chalk: chalk2, safe } = safePalette(palette, style);
  const lines = ["", ...hanging("", 0, safe(countLine(report, style.unicode ? " \xB7 " : ", ")), style.columns)];
  lines.push(...hanging("", 0, safe(verdictLine(report)), style.columns, colourFor(chalk2, report.overallStatus)));
  return `${lines.join("\n")}
`;
}
function renderHuman(report, style, palette = PLAIN, setupRows2 = []) {
  const idWidth = idColumnWidth(report.checks.map((check) => check.id));
  return [renderHeader(report, style, palette, setupRows2), ...report.checks.map((check) => renderCheck(check, idWidth, style, palette)), renderFooter(report, style, palette)].join("");
}

// dist/report/github.js
var escapeData = (text2) => text2.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
var escapeProperty = (text2) => escapeData(text2).replace(/:/g, "%3A").replace(/,/g, "%2C");
function renderGithub(report, verbose, setupRows2 = []) {
  const annotations = report.checks.filter((check) => check.status === "fail" || check.status === "warn").map((check) => {
    const command2 = check.status === "fail" ? "error" : "warning";
    const message2 = check.remediation ? `${check.summary}
fix: ${check.remediation}` : check.summary;
    return `::${command2} title=${escapeProperty(`codex-bedrock ${check.id}`)}::${escapeData(message2)}`;
  });
  if (report.error)
    annotations.push(`::error title=codex-bedrock::${escapeData(report.error)}`);
  return `${annotations.join("\n")}${annotations.length > 0 ? "\n" : ""}${renderHuman(report, { colorLevel: 0, unicode: false, verbose }, void 0, setupRows2)}`;
}

// dist/report/junit.js
init_import_meta_url();
function xml(text2) {
  return text2.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
var seconds = (ms) => (ms / 1e3).toFixed(3);
function body(check) {
  return [check.summary, ...check.remediation ? [`fix: ${check.remediation}`] : [], ...check.details.map((d) => `- ${d}`), ...check.docs ? [`docs: ${check.docs}`] : []].join("\n");
}
function testcase(check) {
  const open = `    <testcase classname="codex-bedrock.doctor" name="${xml(`${check.id}: ${check.title}`)}" time="${seconds(check.durationMs)}"`;
  switch (check.status) {
    case "fail":
      return `${open}>
      <failure message="${xml(check.summary)}" type="fail">${xml(body(check))}</failure>
    </testcase>`;
    case "skip":
      return `${open}>
      <skipped message="${xml(check.skipReason ?? check.summary)}"/>
    </testcase>`;
    case "warn":
      return `${open}>
      <system-out>${xml(`WARNING: ${body(check)}`)}</system-out>
    </testcase>`;
    default:
      return `${open}/>`;
  }
}
function renderJunit(report) {
  const total = report.checks.length + (report.error ? 1 : 0);
  const time = seconds(report.checks.reduce((sum, check) => sum + check.durationMs, 0));
  const errors = report.error ? 1 : 0;
  const counts = `tests="${total}" failures="${report.summary.fail}" errors="${errors}" skipped="${report.summary.skip}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="codex-bedrock doctor" ${counts}>`,
    `  <testsuite name="codex-bedrock doctor" ${counts} timestamp="${xml(report.generatedAt)}">`,
    `    <properties>
      <property name="codex-bedrock.version" value="${xml(report.tool.version)}"/>
      <property name="overallStatus" value="${report.overallStatus}"/>
    </properties>`,
    ...report.checks.map(testcase),
    ...report.error ? [`    <testcase classname="codex-bedrock.doctor" name="doctor"><error message="${xml(report.error)}"/></testcase>`] : [],
    "  </testsuite>",
    "</testsuites>",
    ""
  ].join("\n");
}

// dist/report/support.js
init_import_meta_url();
var import_node_os2 = require("node:os");
function machineFacts() {
  return { os: `${(0, import_node_os2.type)()} ${(0, import_node_os2.release)()} (${(0, import_node_os2.arch)()})`, node: process.version };
}
var RELEVANT_ENV = /^(AWS_|CODEX_|OPENAI_API_KEY$|HTTPS?_PROXY$|https?_proxy$|ALL_PROXY$|all_proxy$|NO_PROXY$|no_proxy$|NODE_EXTRA_CA_CERTS$|SSL_CERT_(FILE|DIR)$)/;
var SHOWN_VALUES = /* @__PURE__ */ new Set(["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"]);
var COMMAND_KEYS = /^(credential_process|command|args)$/i;
function maskAssignments(text2, secretTables) {
  let inSecretTable = false;
  return text2.split(/\r?\n/).map((line) => {
    const header2 = /^\s*\[+\s*([^\]]+?)\s*\]+/.exec(line);
    if (header2) {
      inSecretTable = secretTables.test(header2[1]);
      return line;
    }
    const assignment = /^(\s*(?:export\s+)?["']?([\w.-]+)["']?\s*=\s*)(.*)$/.exec(line);
    if (!assignment || assignment[3].trim() === "")
      return line;
    return inSecretTable || isSecretName(assignment[2]) || COMMAND_KEYS.test(assignment[2]) ? `${assignment[1]}"${REDACTED}"` : line;
  }).join("\n");
}
function setupProvenance(setup) {
  const sourced = (what, value, origin) => ({
    what,
    value: value === void 0 || value === null ? "(not set)" : typeof value === "string" ? value : JSON.stringify(value),
    from: origin ? describeOrigin(origin) : "-"
  });
  return [
    sourced("Codex home", setup.codexHome.path, setup.codexHome.origin),
    { what: "Codex profile (--profile)", value: setup.profileName ?? "(none)", from: setup.profileName ? "--profile" : "-" },
    sourced("model_provider", setup.provider?.value, setup.provider?.origin),
    sourced("model", setup.model.value, setup.model.origin),
    sourced("region", setup.region.effective?.value, setup.region.effective?.origin),
    sourced("base_url override", setup.baseUrl?.value, setup.baseUrl?.origin),
    sourced("endpoint", setup.endpoint?.value, setup.endpoint?.origin),
    { what: "auth mode", value: setup.auth.mode, from: describeOrigin(setup.auth.origin) },
    { what: "credential", value: setup.auth.description, from: describeOrigin(setup.auth.origin) },
    ...setup.auth.awsProfile ? [sourced("AWS profile", setup.auth.awsProfile.value, setup.auth.awsProfile.origin)] : [],
    ...setup.auth.ignored.map((item) => ({ what: "ignored credential", value: item.what, from: item.why })),
    { what: "Codex", value: setup.codex.install?.path ?? "(none found)", from: setup.codex.install ? setup.codex.install.onPath ? "PATH" : setup.codex.install.kind : "PATH, app and extension folders" },
    { what: "Codex rules applied", value: `Codex ${setup.codex.rules.release}`, from: setup.codex.versionFrom ?? setup.codex.basis }
  ];
}
function collectSupportFacts(setup) {
  const provenance = setupProvenance(setup);
  const files = setup.layers.filter((layer) => layer.name !== "cli").map((layer) => ({
    title: `Codex config (${layer.name} layer)`,
    path: layer.path,
    language: "toml",
    text: layer.text !== void 0 ? maskTomlText(layer.text) : null,
    note: layer.status === "ok" ? "" : layer.problem?.message ?? layer.status
  }));
  const cli = setup.layers.find((layer) => layer.name === "cli");
  if (cli?.overrides) {
    files.push({ title: "Command-line overrides (-c)", path: "-c", language: "text", text: cli.overrides.map((o) => `${o.path.join(".")} = ${isSecretKeyPath(o.path) ? `"${REDACTED}"` : JSON.stringify(o.value)}`).join("\n"), note: "" });
  }
  const dotenv = setup.env.dotenv;
  files.push({
    title: "Codex .env (key names only)",
    path: dotenv.path,
    language: "text",
    text: dotenv.parse ? dotenv.parse.entries.map((entry) => `${entry.key}=<hidden> (line ${entry.line})`).join("\n") || "(no keys)" : null,
    note: dotenv.read.status === "ok" ? "" : dotenv.read.status === "missing" ? "absent" : dotenv.read.reason ?? "unreadable"
  });
  for (const [title, file] of [["AWS shared config", setup.awsConfig], ["AWS shared credentials", setup.awsCredentials]]) {
    files.push({
      title,
      path: file.path,
      language: "ini",
      text: file.text !== void 0 ? maskAssignments(file.text, /^$/) : null,
      note: file.status === "ok" ? "" : file.status === "missing" ? "absent" : file.reason ?? "unreadable"
    });
  }
  const environment = Object.keys(setup.env.toRecord()).filter((name) => RELEVANT_ENV.test(name) && !/^CODEX_BEDROCK_/.test(name)).sort().map((name) => {
    const origin = setup.env.originOf(name);
    return { name, from: origin ? describeOrigin(origin) : "-", value: SHOWN_VALUES.has(name) ? setup.env.get(name) ?? "" : null };
  });
  return { provenance, files, environment };
}
var cell = (text2) => text2.replace(/\|/g, "\\|").replace(/\n/g, " ");
var fence = (text2) => text2.includes("```") ? text2.replace(/```/g, "'''") : text2;
function renderSupportReport(report, facts, machine) {
  const codexVersion2 = report.checks.find((check) => check.id === "codex.version");
  const out = [
    "# codex-bedrock support report",
    "",
    `Generated ${report.generatedAt} by codex-bedrock ${report.tool.version}. Secret values are masked; key names are kept.`,
    "",
    `**Verdict:** ${report.overallStatus.toUpperCase()}: ${verdictLine(report).replace(/^Verdict: /, "")}`,
    "",
    countLine(report, " \xB7 "),
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    `| OS | ${cell(machine.os)} |`,
    `| Node.js | ${cell(machine.node)} |`,
    `| Codex CLI | ${cell(typeof codexVersion2?.facts["version"] === "string" ? `${codexVersion2.facts["version"]} (${codexVersion2.facts["path"]})` : codexVersion2?.summary ?? "-")} |`,
    ""
  ];
  if (report.error)
    out.push(`**Error:** ${report.error}`, "");
  if (facts) {
    out.push("## Effective setup (what Codex will use, and where each value comes from)", "", "| setting | value | from |", "|---|---|---|");
    facts.provenance.forEach((row) => out.push(`| ${cell(row.what)} | ${cell(row.value)} | ${cell(row.from)} |`));
    out.push("");
  }
  out.push("## Checks", "");
  const symbol = { pass: "PASS", warn: "WARN", fail: "FAIL", skip: "SKIP" };
  for (const check of report.checks) {
    out.push(`### ${symbol[check.status]} \`${check.id}\`: ${check.title}`, "", check.summary, "");
    if (check.remediation)
      out.push("**Fix:**", "", "```", fence(check.remediation), "```", "");
    if (check.details.length > 0)
      out.push(...check.details.map((detail) => `- ${detail.replace(/\n/g, " ")}`), "");
    if (check.docs && check.status !== "pass")
      out.push(`Docs: ${check.docs}`, "");
    out.push(`_${check.durationMs} ms_`, "");
  }
  if (facts) {
    out.push("## Files", "");
    for (const file of facts.files) {
      out.push(`### ${file.title}: \`${file.path}\`${file.note ? ` (${file.note})` : ""}`, "");
      if (file.text !== null)
        out.push(`\`\`\`${file.language}`, fence(file.text.trimEnd()), "```", "");
    }
    out.push("## Environment variables (names; values only for region and profile)", "");
    if (facts.environment.length === 0)
      out.push("(none of the relevant variables is set)", "");
    else {
      out.push("| variable | from | value |", "|---|---|---|");
      facts.environment.forEach((row) => out.push(`| ${row.name} | ${cell(row.from)} | ${row.value === null ? "(hidden)" : cell(row.value)} |`));
      out.push("");
    }
  }
  return `${out.join("\n")}
`;
}

// dist/cli/doctor.js
var MANAGED_CONFIG_ENV = "CODEX_BEDROCK_MANAGED_CONFIG";
var ID_WIDTH = idColumnWidth(ALL_CHECKS.map((check) => check.id));
function humanStyle(options, io) {
  return {
    colorLevel: options.color ? io.colorLevel : 0,
    unicode: io.stdoutIsTTY,
    verbose: options.verbose,
    ...io.stdoutIsTTY && io.stdoutColumns ? { columns: io.stdoutColumns } : {}
  };
}
function setupRows(setup, options, redactor) {
  return options.verbose && setup ? redactor.scrubDeep(setupProvenance(setup)) : [];
}
function workingFolder(cd) {
  if (cd === void 0)
    return process.cwd();
  const folder = (0, import_node_path8.resolve)(cd);
  if (directoryState(folder) !== "directory")
    throw new UsageError(`--cd ${cd}: not a directory`);
  return folder;
}
async function render(redacted, options, redactedRows, style, palette) {
  if (options.format === "json")
    return `${JSON.stringify(redacted, null, 2)}
`;
  const report = visibleDeep(redacted);
  const rows = visibleDeep(redactedRows);
  switch (options.format) {
    case "junit":
      return renderJunit(report);
    case "github":
      return renderGithub(report, options.verbose, rows);
    default:
      return renderHuman(report, style, palette, rows);
  }
}
function stepLabel(check, setup, offline) {
  switch (check.id) {
    case "codex.version":
      return "checking the Codex CLI version";
    case "auth.token":
      return setup.auth.mode === "iam" && !offline ? "resolving AWS credentials" : "checking the credential";
    case "auth.identity":
      return "calling STS GetCallerIdentity";
    case "bedrock.responses":
      return "calling Bedrock Mantle (POST /responses)";
    default:
      return `checking ${check.id}`;
  }
}
var VERSION_PROBE_TIMEOUT_MS = 5e3;
async function detectCodex(shellEnv, homeDir, flagVersion, timeoutMs) {
  const detection = detectCodexInstalls(diskProbes(process.platform, shellEnv, homeDir));
  return chooseCodexRelease(detection, flagVersion, (path) => readCodexVersion(path, Math.min(VERSION_PROBE_TIMEOUT_MS, timeoutMs)));
}
async function terminalProgress(io, colour, label, printCheck) {
  if (io.stderr.isTTY !== true || !(typeof io.stderr.columns === "number" && io.stderr.columns > 0))
    return null;
  const { default: ora } = await __codexBedrockImport("ora");
  const spinner = ora({ text: "Checking Codex and Amazon Bedrock\u2026", stream: io.stderr, color: colour ? "cyan" : false }).start();
  let step = "";
  let started = 0;
  const tick = setInterval(() => {
    if (step !== "")
      spinner.text = `${step}\u2026 ${((performance.now() - started) / 1e3).toFixed(1)} s`;
  }, 100);
  tick.unref();
  return {
    started(check) {
      step = label(check);
      started = performance.now();
      spinner.text = `${step}\u2026`;
    },
    finished(result) {
      step = "";
      if (!printCheck)
        return;
      spinner.clear();
      printCheck(result);
      spinner.render();
    },
    stop() {
      clearInterval(tick);
      spinner.stop();
    }
  };
}
async function machineInputs(options, shellEnv) {
  const platform = currentPlatform();
  const homeDir = homeFolder(platform, shellEnv, (0, import_node_os3.homedir)());
  const codex = await detectCodex(shellEnv, homeDir, options.codexVersion, options.timeoutSeconds * 1e3);
  const located = {
    ...options.codexHome !== void 0 ? { codexHomeFlag: options.codexHome } : {},
    shellEnv,
    homeDir,
    directoryState
  };
  return {
    ...located,
    ...options.profile !== void 0 ? { profile: options.profile } : {},
    ...options.model !== void 0 ? { modelFlag: options.model } : {},
    configOverrides: options.configOverrides,
    managedConfigPath: shellEnv[MANAGED_CONFIG_ENV] || managedConfigPath(platform, resolveCodexHome(located).path),
    cwd: workingFolder(options.cd),
    readFile: readFileFromDisk,
    readBytes: readBytesFromDisk,
    codex,
    platform
  };
}
async function runDoctor(options, io) {
  let setup = null;
  let results = [];
  let error = null;
  let usage2 = false;
  let services = NO_NETWORK;
  const style = humanStyle(options, io);
  const palette = await paletteFor(style.colorLevel);
  const human = options.format === "human" && options.reportPath !== "-";
  let printedLive = false;
  try {
    const inputs = await machineInputs(options, io.shellEnv);
    setup = resolveSetup(inputs);
    const homeDir = inputs.homeDir;
    const resolved = setup;
    if (!options.offline) {
      resolved.env.dotenv.parse?.entries.forEach((entry) => process.env[entry.key] = entry.value);
    }
    const timeoutMs = Math.round(options.timeoutSeconds * 1e3);
    const liveServices = options.offline ? NO_NETWORK : createServices(resolved, { timeoutMs, readFile: readFileFromDisk, homeDir, now: io.now });
    services = liveServices;
    const redactor2 = redactorForSetup(resolved, io.shellEnv);
    const printLive = (result) => {
      liveServices.secretsSeen().forEach((secret) => redactor2.add(secret));
      if (!printedLive) {
        const header2 = visibleDeep(redactor2.scrubDeep(buildReport({ version: TOOL_VERSION, generatedAt: io.now(), setup: resolved, results: [], error: null })));
        io.stdout.write(renderHeader(header2, style, palette, visibleDeep(setupRows(resolved, options, redactor2))));
        printedLive = true;
      }
      io.stdout.write(renderCheck(visibleDeep(redactor2.scrubDeep(reportCheck(result))), ID_WIDTH, style, palette));
    };
    const progress = human ? await terminalProgress(io, style.colorLevel > 0, (check) => stepLabel(check, resolved, options.offline), io.stdoutIsTTY ? printLive : null) : null;
    try {
      results = await runChecks(ALL_CHECKS, {
        setup: resolved,
        options: { offline: options.offline, timeoutMs, allowGovcloud: options.allowGovcloud },
        now: io.now,
        services
      }, { deselected: deselectedChecks(ALL_CHECKS, options.only, options.skip) }, progress ?? void 0);
    } finally {
      progress?.stop();
    }
    const broken = results.filter((result) => result.internalError);
    if (broken.length > 0)
      error = `internal error in ${broken.map((result) => result.id).join(", ")} (a bug in codex-bedrock)`;
  } catch (caught) {
    usage2 = caught instanceof UsageError;
    const message2 = caught instanceof Error ? caught.message : String(caught);
    error = usage2 ? `usage error: ${message2}` : `internal error: ${message2}`;
  }
  const redactor = redactorForSetup(setup, io.shellEnv);
  services.secretsSeen().forEach((secret) => redactor.add(secret));
  const report = redactor.scrubDeep(buildReport({ version: TOOL_VERSION, generatedAt: io.now(), setup, results, error }));
  if (error) {
    const shown2 = visibleLine(report.error ?? "");
    io.stderr.write(usage2 ? `codex-bedrock: ${shown2}
Run codex-bedrock doctor --help for the options.
` : `codex-bedrock: error: ${shown2}
`);
  }
  let exitCode = exitCodeFor(report, options.strict);
  const writeOutput = (path, what, text2) => {
    try {
      (0, import_node_fs5.writeFileSync)(path, text2);
      io.stderr.write(`codex-bedrock: ${what} written to ${path}
`);
    } catch (writeError) {
      io.stderr.write(`codex-bedrock: error: cannot write the ${what} to ${path}: ${writeError.code ?? String(writeError)}
`);
      exitCode = 2;
    }
  };
  if (options.junitPath !== void 0)
    writeOutput(options.junitPath, "JUnit report", renderJunit(report));
  if (options.reportPath !== null) {
    const markdown = redactor.scrub(renderSupportReport(visibleDeep(report), setup ? visibleDeep(collectSupportFacts(setup)) : null, machineFacts()));
    if (options.reportPath === "-") {
      io.stdout.write(markdown);
      return exitCode;
    }
    writeOutput(options.reportPath, "support report", markdown);
  }
  if (printedLive)
    io.stdout.write(renderFooter(visibleDeep(report), style, palette));
  else if (options.format !== "human" || results.length > 0)
    io.stdout.write(await render(report, options, setupRows(setup, options, redactor), style, palette));
  return exitCode;
}

// dist/cli/fix.js
init_import_meta_url();

// dist/fix/diagnose.js
init_import_meta_url();
function resolveInputs(options, shellEnv) {
  return machineInputs(options, shellEnv);
}
var appliedDotenvKeys = /* @__PURE__ */ new Set();
async function diagnose2(inputs, options, now) {
  const setup = resolveSetup(inputs);
  const timeoutMs = options.timeoutSeconds * 1e3;
  if (!options.offline) {
    appliedDotenvKeys.forEach((key) => {
      if (inputs.shellEnv[key] === void 0)
        delete process.env[key];
      else
        process.env[key] = inputs.shellEnv[key];
    });
    setup.env.dotenv.parse?.entries.forEach((entry) => {
      process.env[entry.key] = entry.value;
      appliedDotenvKeys.add(entry.key);
    });
  }
  const results = await runChecks(ALL_CHECKS, {
    setup,
    options: { offline: options.offline, timeoutMs, allowGovcloud: false },
    now,
    services: options.offline ? NO_NETWORK : createServices(setup, { timeoutMs, readFile: readFileFromDisk, homeDir: inputs.homeDir, now })
  });
  return { inputs, setup, results };
}
async function predict(inputs, workspace, now) {
  const overlaid = { ...inputs, readFile: workspace.reader(), directoryState: workspace.directoryState(inputs.directoryState) };
  const setup = resolveSetup(overlaid);
  const results = await runChecks(ALL_CHECKS, { setup, options: { offline: true, timeoutMs: 1e3, allowGovcloud: false }, now, services: NO_NETWORK });
  return { inputs: overlaid, setup, results };
}

// dist/fix/diff.js
init_import_meta_url();

// dist/fix/textLines.js
init_import_meta_url();
function splitLines(text2) {
  const bom = text2.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body2 = text2.slice(bom.length);
  const lines = body2.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return { bom, lines, eol: body2.includes("\r\n") ? "\r\n" : "\n" };
}
function joinLines(text2) {
  return text2.bom + text2.lines.join("");
}
function lineContent(line) {
  return line.replace(/\r?\n$/, "");
}
function insertLines(text2, index, contents) {
  const lines = [...text2.lines];
  if (index >= lines.length && lines.length > 0 && !/\n$/.test(lines[lines.length - 1]))
    lines[lines.length - 1] += text2.eol;
  lines.splice(index, 0, ...contents.map((content) => `${content}${text2.eol}`));
  return { ...text2, lines };
}
function removeLine(text2, index) {
  const lines = [...text2.lines];
  lines.splice(index, 1);
  return { ...text2, lines };
}
function replaceLineContent(text2, index, content) {
  const lines = [...text2.lines];
  const ending = /\r?\n$/.exec(lines[index])?.[0] ?? "";
  lines[index] = `${content}${ending}`;
  return { ...text2, lines };
}

// dist/fix/diff.js
var CONTEXT = 3;
var MAX_CELLS = 4e6;
function lineOps(before, after) {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_CELLS) {
    return [...before.map((text2, i2) => ({ kind: "-", text: text2, oldLine: i2, newLine: 0 })), ...after.map((text2, j2) => ({ kind: "+", text: text2, oldLine: n, newLine: j2 }))];
  }
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i2 = n - 1; i2 >= 0; i2--)
    for (let j2 = m - 1; j2 >= 0; j2--)
      lcs[i2][j2] = before[i2] === after[j2] ? lcs[i2 + 1][j2 + 1] + 1 : Math.max(lcs[i2 + 1][j2], lcs[i2][j2 + 1]);
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j])
      ops.push({ kind: " ", text: before[i], oldLine: i++, newLine: j++ });
    else if (j >= m || i < n && lcs[i + 1][j] >= lcs[i][j + 1])
      ops.push({ kind: "-", text: before[i], oldLine: i++, newLine: j });
    else
      ops.push({ kind: "+", text: after[j], oldLine: i, newLine: j++ });
  }
  return ops;
}
function shown(line) {
  const content = lineContent(line);
  const marks = line.endsWith("\r\n") ? " \u240D" : "";
  return `${content}${marks}${/\n$/.test(line) ? "" : "\n\\ No newline at end of file"}`;
}
function unifiedDiff(path, before, after) {
  const old = before === null ? { bom: "", lines: [] } : splitLines(before);
  const updated = splitLines(after);
  const a = [...old.lines];
  const b = [...updated.lines];
  if (old.bom !== updated.bom) {
    a.unshift(old.bom ? "<byte-order mark>\n" : "");
    b.unshift(updated.bom ? "<byte-order mark>\n" : "");
  }
  const ops = lineOps(a, b);
  if (ops.every((op) => op.kind === " "))
    return "";
  const hunks = [];
  let index = 0;
  while (index < ops.length) {
    const firstChange = ops.findIndex((op, k) => k >= index && op.kind !== " ");
    if (firstChange < 0)
      break;
    const start = Math.max(index, firstChange - CONTEXT);
    let end = firstChange;
    for (let k = firstChange; k < ops.length; k++) {
      if (ops[k].kind !== " ")
        end = k;
      else if (k - end > 2 * CONTEXT)
        break;
    }
    const stop = Math.min(ops.length, end + CONTEXT + 1);
    const slice = ops.slice(start, stop);
    const oldCount = slice.filter((op) => op.kind !== "+").length;
    const newCount = slice.filter((op) => op.kind !== "-").length;
    const oldStart = oldCount === 0 ? slice[0].oldLine : slice[0].oldLine + 1;
    const newStart = newCount === 0 ? slice[0].newLine : slice[0].newLine + 1;
    hunks.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@
${slice.map((op) => `${op.kind}${shown(op.text)}`).join("\n")}
`);
    index = stop;
  }
  return `--- ${before === null ? "/dev/null" : `a${path}`}
+++ b${path}
${hunks.join("")}`;
}

// dist/fix/plan.js
init_import_meta_url();
var import_node_path9 = require("node:path");

// dist/fix/tomlEdit.js
init_import_meta_url();
var import_parse_string2 = __toESM(require_parse_string(), 1);
function tomlString(value) {
  return /^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value) ? `"${value}"` : null;
}
function parse(text2) {
  try {
    return (0, import_parse_string2.default)(text2.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n"));
  } catch {
    return null;
  }
}
function normalise(value) {
  if (value instanceof Date)
    return value.toISOString();
  if (Array.isArray(value))
    return value.map(normalise);
  if (isTable2(value)) {
    const entries = Object.keys(value).sort().map((key) => [key, normalise(value[key])]).filter(([, item]) => !(isTable2(item) && Object.keys(item).length === 0));
    return Object.fromEntries(entries);
  }
  return value;
}
function applyChange(table, change) {
  let cursor = table;
  for (const part of change.path.slice(0, -1)) {
    if (!isTable2(cursor[part])) {
      if ("remove" in change)
        return;
      cursor[part] = {};
    }
    cursor = cursor[part];
  }
  const last = change.path[change.path.length - 1];
  if ("remove" in change)
    delete cursor[last];
  else
    cursor[last] = change.value;
}
function verifyEdit(before, after, changes) {
  const old = before === "" ? {} : parse(before);
  const edited = parse(after);
  if (!old)
    return "the file does not parse as TOML before the edit";
  if (!edited)
    return "the edited file would not parse as TOML";
  const expected = JSON.parse(JSON.stringify(normalise(old)));
  changes.forEach((change) => applyChange(expected, change));
  return JSON.stringify(normalise(expected)) === JSON.stringify(normalise(edited)) ? null : "the line edit would change more than the intended values (the file uses a layout fix cannot edit line by line)";
}
var STRING_TOKEN = /^("(?:[^"\\]|\\.)*"|'[^']*')/;
function replaceStringValue(text2, line, value) {
  const literal = tomlString(value);
  if (!literal)
    return { ok: false, reason: `the value ${JSON.stringify(value)} is not plain text` };
  const doc = splitLines(text2);
  const current = doc.lines[line - 1];
  if (current === void 0)
    return { ok: false, reason: `line ${line} does not exist` };
  const content = lineContent(current);
  const equals = content.indexOf("=");
  if (equals < 0)
    return { ok: false, reason: `line ${line} is not a key = value line` };
  const afterEquals = content.slice(equals + 1);
  const leading = /^[ \t]*/.exec(afterEquals)[0];
  const rest = afterEquals.slice(leading.length);
  if (rest.startsWith('"""') || rest.startsWith("'''"))
    return { ok: false, reason: `line ${line} holds a multi-line string` };
  const token = STRING_TOKEN.exec(rest)?.[0];
  if (!token)
    return { ok: false, reason: `the value on line ${line} is not a one-line string` };
  const updated = `${content.slice(0, equals + 1)}${leading}${literal}${rest.slice(token.length)}`;
  return { ok: true, text: joinLines(replaceLineContent(doc, line - 1, updated)) };
}
function removeKeyLine(text2, line) {
  const doc = splitLines(text2);
  if (doc.lines[line - 1] === void 0)
    return { ok: false, reason: `line ${line} does not exist` };
  return { ok: true, text: joinLines(removeLine(doc, line - 1)) };
}
var isBlankOrComment = (line) => /^\s*(#.*)?$/.test(lineContent(line));
function insertTopLevel(text2, key, value) {
  const literal = tomlString(value);
  if (!literal)
    return { ok: false, reason: `the value ${JSON.stringify(value)} is not plain text` };
  const doc = splitLines(text2);
  const firstHeader = scanToml(text2).headers[0];
  let index = firstHeader ? firstHeader.line - 1 : doc.lines.length;
  if (firstHeader)
    while (index > 0 && isBlankOrComment(doc.lines[index - 1]))
      index -= 1;
  if (!firstHeader)
    while (index > 0 && /^\s*$/.test(doc.lines[index - 1]))
      index -= 1;
  return { ok: true, text: joinLines(insertLines(doc, index, [`${key} = ${literal}`])) };
}
function findHeader(text2, path) {
  return scanToml(text2).headers.find((header2) => samePath(header2.path, path) && !header2.text.startsWith("[["));
}
function insertInTable(text2, tablePath, key, value) {
  const literal = tomlString(value);
  if (!literal)
    return { ok: false, reason: `the value ${JSON.stringify(value)} is not plain text` };
  const doc = splitLines(text2);
  const header2 = findHeader(text2, tablePath);
  if (header2)
    return { ok: true, text: joinLines(insertLines(doc, header2.line, [`${key} = ${literal}`])) };
  const last = doc.lines[doc.lines.length - 1];
  const gap = last === void 0 || /^\s*$/.test(last) ? [] : [""];
  return { ok: true, text: joinLines(insertLines(doc, doc.lines.length, [...gap, `[${formatKeyPath(tablePath)}]`, `${key} = ${literal}`])) };
}
function extractTable(text2, tablePath) {
  const doc = splitLines(text2);
  const headers = scanToml(text2).headers;
  const within = (header2) => header2.path.length >= tablePath.length && samePath(header2.path.slice(0, tablePath.length), tablePath);
  const start = headers.findIndex((header2) => samePath(header2.path, tablePath));
  if (start < 0)
    return { ok: false, reason: `there is no [${formatKeyPath(tablePath)}] header` };
  const nextIndex = headers.findIndex((header2, i) => i > start && !within(header2));
  const ownHeaders = headers.slice(start, nextIndex < 0 ? void 0 : nextIndex);
  if (ownHeaders.some((header2) => header2.text.startsWith("[[")))
    return { ok: false, reason: "the table holds an array of tables" };
  const next = nextIndex < 0 ? void 0 : headers[nextIndex];
  let end = next ? next.line - 1 : doc.lines.length;
  if (next)
    while (end > ownHeaders[0].line && isBlankOrComment(doc.lines[end - 1]))
      end -= 1;
  let begin = ownHeaders[0].line - 1;
  if (end === doc.lines.length)
    while (begin > 0 && /^\s*$/.test(doc.lines[begin - 1]))
      begin -= 1;
  const body2 = [];
  for (let index = ownHeaders[0].line - 1; index < end; index++) {
    const header2 = ownHeaders.find((h) => h.line === index + 1);
    if (header2 === ownHeaders[0])
      continue;
    body2.push(header2 ? `[${formatKeyPath(header2.path.slice(tablePath.length))}]${doc.eol}` : doc.lines[index].replace(/[^\n]$/, `$&${doc.eol}`));
  }
  const remaining = { ...doc, lines: [...doc.lines.slice(0, begin), ...doc.lines.slice(end)] };
  return { ok: true, remaining: joinLines(remaining), extracted: body2.join("") };
}
function holdsTable(text2, table) {
  const parsed = parse(text2);
  if (!parsed)
    return "the moved table would not parse as TOML on its own";
  return JSON.stringify(normalise(parsed)) === JSON.stringify(normalise(table)) ? null : "the moved table would not hold the same settings on its own";
}

// dist/fix/attempt.js
init_import_meta_url();
function attempt(context, plan, check, description, apply) {
  const fork = context.workspace.fork();
  const outcome = apply(fork);
  if (typeof outcome === "string") {
    plan.refusals.push({ check, description, reason: outcome });
    return;
  }
  for (const file of outcome.files) {
    const target = context.safety(file);
    if (!target.ok) {
      plan.refusals.push({ check, description, reason: target.reason });
      return;
    }
  }
  context.workspace.adopt(fork);
  plan.fixes.push({ check, description, files: outcome.files });
}

// dist/fix/planDotenv.js
init_import_meta_url();
function planDotenvMode(context, plan, result) {
  if (result.facts["tooOpen"] !== true)
    return;
  const path = context.setup.env.dotenv.path;
  attempt(context, plan, result.id, `chmod 600 ${path} (it holds secrets and others can read it)`, (workspace) => workspace.chmod(path, 384) ? { files: [path] } : `${path} cannot be read`);
}
function shownValue(name, value) {
  return isSecretName(name) ? `[secret, ${value.length} characters]` : JSON.stringify(value);
}
var failures = (results) => results.filter((result) => result.status === "fail");
async function planDotenvOverrides(context, plan) {
  const { setup } = context;
  const dotenv = setup.env.dotenv;
  const before = failures(context.results);
  if (before.length === 0 || !dotenv.parse)
    return;
  for (const key of dotenv.overriddenShellKeys) {
    const entries = dotenv.parse.entries.filter((entry) => entry.key === key);
    const last = entries.at(-1);
    const description = `remove ${key} from ${dotenv.path} (line${entries.length > 1 ? "s" : ""} ${entries.map((entry) => entry.line).join(", ")}: ${shownValue(key, last.value)}), which overrides the shell's ${shownValue(key, setup.env.shell[key] ?? "")}`;
    const fork = context.workspace.fork();
    const text2 = fork.text(dotenv.path);
    if (typeof text2 !== "string")
      continue;
    let doc = splitLines(text2);
    for (const entry of [...entries].reverse())
      doc = removeLine(doc, entry.line - 1);
    const edited = joinLines(doc);
    const lookup = (name) => setup.env.shell[name];
    const expected = parseDotenv(text2, lookup).entries.filter((entry) => entry.key !== key).map((entry) => [entry.key, entry.value]);
    const actual = parseDotenv(edited, lookup).entries.map((entry) => [entry.key, entry.value]);
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      plan.refusals.push({ check: "env.dotenv", description, reason: "its value spans several lines" });
      continue;
    }
    fork.write(dotenv.path, edited);
    const predicted = await context.predict(fork);
    const after = failures(predicted.results);
    const newlyFailing = after.filter((result) => !before.some((old) => old.id === result.id));
    if (after.length < before.length && newlyFailing.length === 0) {
      const target = context.safety(dotenv.path);
      if (!target.ok)
        plan.refusals.push({ check: "env.dotenv", description, reason: target.reason });
      else {
        context.workspace.adopt(fork);
        plan.fixes.push({ check: "env.dotenv", description, files: [dotenv.path] });
      }
    }
  }
}

// dist/fix/plan.js
function editableLayer(layer) {
  return layer !== void 0 && (layer.name === "user" || layer.name === "profile") && layer.status === "ok";
}
function layerOfOrigin(setup, origin) {
  return origin.kind === "config" ? setup.layers.find((layer) => layer.name === origin.layer) : void 0;
}
function whyNotEditable(origin) {
  if (origin.kind === "cli-override")
    return `it comes from ${origin.flag} on the command line; change the flag instead`;
  if (origin.kind === "config" && origin.layer === "managed")
    return "it comes from the managed config, which only its administrator changes";
  return "it does not come from a file fix can edit";
}
function editToml(workspace, path, edit, changes) {
  const text2 = workspace.text(path);
  if (text2 === void 0)
    return `${path} cannot be read`;
  const edited = edit(text2 ?? "");
  if (!edited.ok)
    return edited.reason;
  const wrong = verifyEdit(text2 ?? "", edited.text, changes);
  if (wrong)
    return wrong;
  workspace.write(path, edited.text);
  return null;
}
var fileKeyPath = (layer, path) => [...layer.tablePath ?? [], ...path];
function keyLine(workspace, path, keyPath) {
  const text2 = workspace.text(path);
  return typeof text2 === "string" ? lineOfKey(scanToml(text2), keyPath) : void 0;
}
function userLayer(setup) {
  return setup.layers.find((layer) => layer.name === "user");
}
function moveLegacyTable(workspace, setup, layer, name) {
  const table = valueAt(layer.table, ["profiles", name]);
  if (!isTable2(table))
    return { files: [] };
  const target = (0, import_node_path9.join)(setup.codexHome.path, `${name}.config.toml`);
  if (workspace.text(target) !== null)
    return `${target} already exists: merge [profiles.${name}] into it by hand`;
  const text2 = workspace.text(layer.path);
  if (typeof text2 !== "string")
    return `${layer.path} cannot be read`;
  const cut = extractTable(text2, ["profiles", name]);
  if (!cut.ok)
    return cut.reason;
  const wrong = verifyEdit(text2, cut.remaining, [{ path: ["profiles", name], remove: true }]) ?? holdsTable(cut.extracted, table);
  if (wrong)
    return wrong;
  workspace.write(layer.path, cut.remaining);
  workspace.write(target, cut.extracted);
  return { files: [layer.path, target] };
}
function planProvider(context, plan, result) {
  const { setup } = context;
  const finding = result.facts["finding"];
  const user = userLayer(setup);
  switch (finding) {
    case "codex-home-missing":
      attempt(context, plan, result.id, `create the Codex home ${setup.codexHome.path}`, (workspace) => {
        workspace.createFolder(setup.codexHome.path);
        return { files: [] };
      });
      return;
    case "provider-missing":
      attempt(context, plan, result.id, `${user.status === "missing" ? "create" : "add to"} ${user.path}: model_provider = "amazon-bedrock" (above the first table)`, (workspace) => {
        const failed = editToml(workspace, user.path, (text2) => insertTopLevel(text2, "model_provider", BEDROCK_PROVIDER_ID), [{ path: ["model_provider"], value: BEDROCK_PROVIDER_ID }]);
        return failed ?? { files: [user.path] };
      });
      return;
    case "provider-misplaced": {
      for (const layer of setup.layers.filter(editableLayer)) {
        const text2 = context.workspace.text(layer.path);
        if (typeof text2 !== "string")
          continue;
        const misplaced = scanToml(text2).keys.find((key) => key.path.length > 1 && key.path.at(-1) === "model_provider" && key.header);
        if (!misplaced)
          continue;
        const description = `move model_provider from under ${misplaced.header.text} (${layer.path}:${misplaced.line}) to the top of the file`;
        attempt(context, plan, result.id, description, (workspace) => {
          if (valueAt(layer.table, misplaced.path) !== BEDROCK_PROVIDER_ID)
            return `its value is not "${BEDROCK_PROVIDER_ID}"`;
          const failed = editToml(workspace, layer.path, (current) => {
            const removed = removeKeyLine(current, misplaced.line);
            return removed.ok ? insertTopLevel(removed.text, "model_provider", BEDROCK_PROVIDER_ID) : removed;
          }, [{ path: misplaced.path, remove: true }, { path: fileKeyPath(layer, ["model_provider"]), value: BEDROCK_PROVIDER_ID }]);
          return failed ?? { files: [layer.path] };
        });
        return;
      }
      return;
    }
    case "provider-unknown": {
      const provider = setup.provider;
      if (!provider || result.facts["suggestion"] !== BEDROCK_PROVIDER_ID)
        return;
      const layer = layerOfOrigin(setup, provider.origin);
      attempt(context, plan, result.id, `set model_provider = "amazon-bedrock" in place of ${JSON.stringify(provider.value)}`, (workspace) => {
        if (!editableLayer(layer))
          return whyNotEditable(provider.origin);
        const line = keyLine(workspace, layer.path, fileKeyPath(layer, ["model_provider"]));
        if (!line)
          return "its line was not found";
        const failed = editToml(workspace, layer.path, (text2) => replaceStringValue(text2, line, BEDROCK_PROVIDER_ID), [{ path: fileKeyPath(layer, ["model_provider"]), value: BEDROCK_PROVIDER_ID }]);
        return failed ?? { files: [layer.path] };
      });
      return;
    }
    case "legacy-profile": {
      const name = String(result.facts["profile"]);
      const layer = setup.layers.find((candidate) => candidate.status === "ok" && typeof candidate.table["profile"] === "string");
      const hasTable = layer !== void 0 && isTable2(valueAt(layer.table, ["profiles", name]));
      const description = `remove the legacy \`profile = "${name}"\` line${hasTable ? ` and move [profiles.${name}] into ${name}.config.toml` : ""} (use it with codex --profile ${name})`;
      attempt(context, plan, result.id, description, (workspace) => {
        if (!editableLayer(layer))
          return whyNotEditable({ kind: "config", layer: layer?.name ?? "user" });
        const line = keyLine(workspace, layer.path, fileKeyPath(layer, ["profile"]));
        if (!line)
          return "its line was not found";
        const failed = editToml(workspace, layer.path, (text2) => removeKeyLine(text2, line), [{ path: fileKeyPath(layer, ["profile"]), remove: true }]);
        if (failed)
          return failed;
        const moved = layer.name === "user" ? moveLegacyTable(workspace, setup, layer, name) : { files: [] };
        return typeof moved === "string" ? moved : { files: [.../* @__PURE__ */ new Set([layer.path, ...moved.files])] };
      });
      return;
    }
    case "legacy-profile-table": {
      const name = String(result.facts["profile"]);
      attempt(context, plan, result.id, `move [profiles.${name}] from ${user.path} into ${name}.config.toml`, (workspace) => moveLegacyTable(workspace, setup, user, name));
      return;
    }
    case "provider-keys-refused": {
      const keys = JSON.parse(String(result.facts["keys"]));
      attempt(context, plan, result.id, `remove the provider keys Codex ${setup.codex.rules.release} refuses: ${keys.map((key) => key.join(".")).join(", ")}`, (workspace) => {
        const files = /* @__PURE__ */ new Set();
        for (const key of keys) {
          for (const layer of setup.layers.filter((candidate) => candidate.status === "ok" && valueAt(candidate.table, [...PROVIDER_TABLE, ...key]) !== void 0)) {
            if (!editableLayer(layer))
              return `${key.join(".")}: ${whyNotEditable({ kind: layer.name === "cli" ? "cli-override" : "config", layer: layer.name, flag: "-c" })}`;
            const keyPath = fileKeyPath(layer, [...PROVIDER_TABLE, ...key]);
            const line = keyLine(workspace, layer.path, keyPath);
            if (!line)
              return `${key.join(".")}: its line was not found`;
            const failed = editToml(workspace, layer.path, (text2) => removeKeyLine(text2, line), [{ path: keyPath, remove: true }]);
            if (failed)
              return `${key.join(".")}: ${failed}`;
            files.add(layer.path);
          }
        }
        return { files: [...files] };
      });
      return;
    }
    default:
      return;
  }
}
function chosenRegion(context, result) {
  const { setup } = context;
  const allowList = setup.codex.rules.behaviour.regionAllowList;
  const suggestion = result.facts["suggestion"];
  if (typeof suggestion === "string" && allowList.includes(suggestion))
    return { value: suggestion, why: `the doctor's correction of ${JSON.stringify(setup.region.effective?.value)}` };
  const profileName = setup.auth.awsProfile?.value ?? setup.env.nonEmpty("AWS_PROFILE")?.value ?? "default";
  const profileRegion = setup.awsConfig.profiles.get(profileName)?.values.get("region")?.value.trim();
  if (profileRegion && allowList.includes(profileRegion))
    return { value: profileRegion, why: `the region of AWS profile ${profileName} in ${setup.awsConfig.path}` };
  if (context.regionChoice && allowList.includes(context.regionChoice))
    return { value: context.regionChoice, why: "your choice" };
  return null;
}
function planRegion(context, plan, result) {
  const { setup } = context;
  if (!["region-missing", "region-blank", "region-malformed", "region-not-allowed"].includes(String(result.facts["finding"])))
    return;
  if (setup.region.rule === "stored-key") {
    plan.refusals.push({ check: result.id, description: "set the region", reason: "a key stored by codex login uses only the region stored with it: sign in again in Codex and choose the region" });
    return;
  }
  const region = chosenRegion(context, result);
  if (!region) {
    plan.regionQuestion = { why: result.summary, choices: setup.codex.rules.behaviour.regionAllowList };
    return;
  }
  const regionPath = [...PROVIDER_TABLE, "aws", "region"];
  const setting = [...setup.layers].reverse().find((layer2) => layer2.status === "ok" && valueAt(layer2.table, regionPath) !== void 0);
  const layer = setting ?? userLayer(setup);
  attempt(context, plan, result.id, `set [model_providers.amazon-bedrock.aws] region = "${region.value}" in ${layer.path} (${region.why})`, (workspace) => {
    if (!editableLayer(layer))
      return whyNotEditable({ kind: layer.name === "cli" ? "cli-override" : "config", layer: layer.name, flag: "-c model_providers.amazon-bedrock.aws.region" });
    const keyPath = fileKeyPath(layer, regionPath);
    const line = setting ? keyLine(workspace, layer.path, keyPath) : void 0;
    if (setting && !line)
      return "the line of the region setting was not found (an inline table?)";
    const edit = line ? (text2) => replaceStringValue(text2, line, region.value) : (text2) => insertInTable(text2, keyPath.slice(0, -1), "region", region.value);
    return editToml(workspace, layer.path, edit, [{ path: keyPath, value: region.value }]) ?? { files: [layer.path] };
  });
}
function planModel(context, plan, result) {
  const suggestion = result.facts["suggestion"];
  if (typeof suggestion !== "string")
    return;
  const { setup } = context;
  const origin = setup.model.origin;
  const layer = layerOfOrigin(setup, origin);
  attempt(context, plan, result.id, `set model = "${suggestion}" in place of ${JSON.stringify(setup.model.value)}`, (workspace) => {
    if (!editableLayer(layer))
      return origin.kind === "cli-override" ? `the model comes from ${origin.flag}; pass ${suggestion} there instead` : whyNotEditable(origin);
    const keyPath = fileKeyPath(layer, ["model"]);
    const line = keyLine(workspace, layer.path, keyPath);
    if (!line)
      return "its line was not found";
    return editToml(workspace, layer.path, (text2) => replaceStringValue(text2, line, suggestion), [{ path: keyPath, value: suggestion }]) ?? { files: [layer.path] };
  });
}
async function planRound(context) {
  const plan = { fixes: [], refusals: [], regionQuestion: null };
  for (const result of context.results) {
    if (result.status === "fail" && result.id === "config.provider")
      planProvider(context, plan, result);
    if (result.status === "fail" && result.id === "region.set")
      planRegion(context, plan, result);
    if (result.status === "fail" && result.id === "model.id")
      planModel(context, plan, result);
    if (result.status === "warn" && result.id === "env.dotenv")
      planDotenvMode(context, plan, result);
  }
  if (plan.fixes.length === 0)
    await planDotenvOverrides(context, plan);
  return plan;
}
var BEDROCK_API_KEYS_CONSOLE = "https://console.aws.amazon.com/bedrock/home#/api-keys";
function instructionFor(result) {
  if (result.id === "auth.token" || result.id === "auth.identity") {
    if (result.facts["credentialSource"] === "sso")
      return `Run: aws sso login${result.facts["profile"] ? ` --profile ${String(result.facts["profile"])}` : ""}`;
    if (result.facts["authMode"] === "bearer") {
      return `Create a Bedrock API key in the console (${BEDROCK_API_KEYS_CONSOLE}) and set AWS_BEARER_TOKEN_BEDROCK to it yourself; codex-bedrock fix never writes secrets.${result.remediation ? `
${result.remediation}` : ""}`;
    }
  }
  return result.remediation ?? result.summary;
}

// dist/fix/render.js
init_import_meta_url();
function summarise(results) {
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  results.forEach((result) => summary[result.status] += 1);
  return {
    overallStatus: summary.fail > 0 ? "fail" : summary.warn > 0 ? "warn" : "pass",
    summary,
    checks: results.map((result) => ({ id: result.id, status: result.status, summary: result.summary }))
  };
}
var MARK = { pass: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };
function runLines(title, run2) {
  const s = run2.summary;
  const lines = [`${title}: ${s.pass} passed, ${s.warn} warning${s.warn === 1 ? "" : "s"}, ${s.fail} failed, ${s.skip} skipped`];
  run2.checks.filter((check) => check.status === "fail" || check.status === "warn").forEach((check) => lines.push(`  ${MARK[check.status]} ${check.id}: ${check.summary}`));
  return lines;
}
function indent(text2, prefix) {
  return text2.split("\n").map((line) => `${prefix}${line}`).join("\n");
}
function renderFixHuman(report, header2 = true) {
  const out = header2 ? [`codex-bedrock fix ${report.tool.version}`, ""] : [];
  if (report.undo) {
    out.push(`Undid the fix run of ${report.undo.stamp}:`);
    report.undo.restored.forEach((path) => out.push(`  restored ${path}`));
    report.undo.removed.forEach((path) => out.push(`  removed ${path} (fix had created it)`));
    out.push("");
  }
  if (report.before)
    out.push(...runLines("Before", report.before), "");
  const plan = report.plan;
  if (plan) {
    if (plan.fixes.length === 0)
      out.push(report.before?.overallStatus === "pass" ? "Nothing to fix." : "No change fix can make safely.");
    else {
      out.push(`Plan (${plan.fixes.length} fix${plan.fixes.length === 1 ? "" : "es"}):`);
      plan.fixes.forEach((fix, index) => out.push(`  ${index + 1}. [${fix.check}] ${fix.description}`));
      out.push("");
      plan.changes.forEach((change) => {
        if (change.mode)
          out.push(`mode ${change.path}: ${change.mode}`);
        if (change.diff)
          out.push(change.diff.trimEnd());
      });
    }
    if (plan.refusals.length > 0) {
      out.push("", "Left alone:");
      plan.refusals.forEach((refusal) => out.push(`  - [${refusal.check}] ${refusal.description}: ${refusal.reason}`));
    }
    if (plan.regionQuestion) {
      out.push("", `The region needs your choice (${plan.regionQuestion.why}).`, `  Run again with --region REGION, one of: ${plan.regionQuestion.choices.join(", ")}`);
    }
    out.push("");
  }
  if (report.notAppliedBecause)
    out.push(`Nothing was written: ${report.notAppliedBecause}`, "");
  if (report.applied) {
    out.push("Applied. Backups:");
    report.backups.forEach((path) => out.push(`  ${path}`));
    out.push("  (codex-bedrock fix --undo restores them)", "");
  }
  if (report.after)
    out.push(...runLines("After", report.after), "");
  if (report.remaining.length > 0) {
    out.push(report.applied || report.undo ? "Still to do by hand:" : "Not fixed automatically:");
    report.remaining.forEach((item) => {
      out.push(`  - [${item.check}] ${item.summary}`);
      out.push(indent(item.instruction, "      "));
    });
    out.push("");
  }
  if (report.error)
    out.push(`Error: ${report.error}`);
  else if (report.after)
    out.push(report.after.overallStatus === "fail" ? "Verdict: findings remain (listed above)." : "Verdict: the doctor passes now.");
  return `${visibleText(out.join("\n").replace(/\n+$/, ""))}
`;
}

// dist/fix/safety.js
init_import_meta_url();
var import_node_fs6 = require("node:fs");
var import_node_path10 = require("node:path");
function inside(folder, path) {
  const rel = (0, import_node_path10.relative)(folder, path);
  return rel === "" || !rel.startsWith("..") && !(0, import_node_path10.isAbsolute)(rel);
}
function realOrSelf(path) {
  try {
    return (0, import_node_fs6.realpathSync)(path);
  } catch {
    return path;
  }
}
function writeTarget(path, rules) {
  const home = realOrSelf((0, import_node_path10.resolve)(rules.codexHome));
  const managed = realOrSelf((0, import_node_path10.resolve)(rules.managedConfigPath));
  let stat;
  try {
    stat = (0, import_node_fs6.lstatSync)(path);
  } catch (error) {
    if (error.code !== "ENOENT")
      return { ok: false, reason: `${path} cannot be inspected (${error.code ?? "error"})` };
    const folder = realOrSelf((0, import_node_path10.dirname)((0, import_node_path10.resolve)(path)));
    if (!inside(home, folder))
      return { ok: false, reason: `${path} would be created outside the Codex home ${rules.codexHome}` };
    return { ok: true, path: (0, import_node_path10.join)(folder, (0, import_node_path10.basename)(path)), exists: false, mode: null };
  }
  let target = (0, import_node_path10.resolve)(path);
  if (stat.isSymbolicLink()) {
    try {
      target = (0, import_node_fs6.realpathSync)(path);
      stat = (0, import_node_fs6.statSync)(target);
    } catch {
      return { ok: false, reason: `${path} is a symbolic link that leads nowhere` };
    }
    if (!inside(home, target))
      return { ok: false, reason: `${path} is a symbolic link to ${target}, outside the Codex home; fix does not follow it` };
  } else if (!inside(home, realOrSelf(target))) {
    return { ok: false, reason: `${path} is outside the Codex home ${rules.codexHome}` };
  }
  if (target === managed || (0, import_node_path10.resolve)(path) === (0, import_node_path10.resolve)(rules.managedConfigPath))
    return { ok: false, reason: `${path} is Codex's managed config, which only its administrator changes` };
  if (!stat.isFile())
    return { ok: false, reason: `${path} is not a regular file` };
  if (rules.uid !== null && stat.uid !== rules.uid)
    return { ok: false, reason: `${path} belongs to another user (uid ${stat.uid}); fix only edits your own files` };
  if ((stat.mode & 128) === 0)
    return { ok: false, reason: `${path} is read-only (mode ${(stat.mode & 511).toString(8)}); fix leaves files made read-only alone` };
  return { ok: true, path: target, exists: true, mode: stat.mode & 4095 };
}

// dist/fix/transaction.js
init_import_meta_url();
var import_node_fs7 = require("node:fs");
var import_node_path11 = require("node:path");
var FixIoError = class extends Error {
};
var TEST_MODE_ENV = "CODEX_BEDROCK_TEST_MODE";
var TEST_HOOK_ENV = "CODEX_BEDROCK_TEST_FIX_HOOK";
var MANIFEST = /^\.codex-bedrock-fix-(\d{8}T\d{6}Z(?:-\d+)?)\.json$/;
function backupStamp(now) {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}
function fsyncPath(path) {
  const fd = (0, import_node_fs7.openSync)(path, "r");
  try {
    (0, import_node_fs7.fsyncSync)(fd);
  } finally {
    (0, import_node_fs7.closeSync)(fd);
  }
}
function writeDurably(path, data, mode) {
  const fd = (0, import_node_fs7.openSync)(path, import_node_fs7.constants.O_WRONLY | import_node_fs7.constants.O_CREAT | import_node_fs7.constants.O_EXCL, mode);
  try {
    (0, import_node_fs7.writeSync)(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    (0, import_node_fs7.fsyncSync)(fd);
  } finally {
    (0, import_node_fs7.closeSync)(fd);
  }
  (0, import_node_fs7.chmodSync)(path, mode);
}
function tempPath(target) {
  return (0, import_node_path11.join)((0, import_node_path11.dirname)(target), `.${(0, import_node_path11.basename)(target)}.codex-bedrock-${process.pid}.tmp`);
}
function removeQuietly(path) {
  try {
    (0, import_node_fs7.unlinkSync)(path);
  } catch {
  }
}
function claimManifest(home, stamp) {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? stamp : `${stamp}-${n}`;
    const path = (0, import_node_path11.join)(home, `.codex-bedrock-fix-${candidate}.json`);
    if (!(0, import_node_fs7.existsSync)(path))
      return { path, stamp: candidate };
  }
}
function restoreFrom(backup, target, mode) {
  const temp = tempPath(target);
  removeQuietly(temp);
  writeDurably(temp, (0, import_node_fs7.readFileSync)(backup), mode);
  (0, import_node_fs7.renameSync)(temp, target);
}
function applyChanges(changes, context) {
  const home = context.safety.codexHome;
  let createdHome = false;
  if (!(0, import_node_fs7.existsSync)(home)) {
    (0, import_node_fs7.mkdirSync)(home, { recursive: true, mode: 448 });
    createdHome = true;
  }
  const claimed = claimManifest(home, backupStamp(context.now));
  const staged = [];
  const manifest = { stamp: claimed.stamp, files: [] };
  const undoStaging = () => {
    staged.forEach((entry) => {
      if (entry.temp)
        removeQuietly(entry.temp);
      if (entry.backup)
        removeQuietly(entry.backup);
    });
    removeQuietly(claimed.path);
    if (createdHome) {
      try {
        (0, import_node_fs7.rmdirSync)(home);
      } catch {
      }
    }
  };
  try {
    for (const change of changes) {
      const target = writeTarget(change.path, context.safety);
      if (!target.ok)
        throw new FixIoError(`refused: ${target.reason}`);
      const current = target.exists ? (0, import_node_fs7.readFileSync)(target.path) : null;
      const planned = change.before === null ? null : Buffer.from(change.before, "utf8");
      if (current === null !== (planned === null) || current && planned && !current.equals(planned)) {
        throw new FixIoError(`${change.path} changed since the plan was made; run fix again`);
      }
      const backup = target.exists ? `${target.path}.bak-${claimed.stamp}` : null;
      if (backup) {
        (0, import_node_fs7.copyFileSync)(target.path, backup, import_node_fs7.constants.COPYFILE_EXCL);
        (0, import_node_fs7.chmodSync)(backup, 384);
      }
      const finalMode = change.newMode ?? target.mode ?? 384;
      const entry = { change, target: target.path, temp: null, backup, mode: target.mode, finalMode };
      staged.push(entry);
      manifest.files.push({ path: target.path, backup, mode: target.mode, created: !target.exists });
      if (change.before !== change.after) {
        entry.temp = tempPath(target.path);
        removeQuietly(entry.temp);
        writeDurably(entry.temp, change.after, finalMode);
      }
    }
    writeDurably(claimed.path, `${JSON.stringify(manifest, null, 2)}
`, 384);
  } catch (error) {
    undoStaging();
    throw error instanceof FixIoError ? error : new FixIoError(describe(error));
  }
  if (context.testHook === "crash-before-rename")
    process.kill(process.pid, "SIGKILL");
  const failAt = /^fail-rename:(\d+)$/.exec(context.testHook ?? "")?.[1];
  const done = [];
  try {
    staged.forEach((entry, index) => {
      if (failAt !== void 0 && index + 1 === Number(failAt))
        throw Object.assign(new Error("simulated rename failure (test hook)"), { code: "EIO" });
      if (entry.temp)
        (0, import_node_fs7.renameSync)(entry.temp, entry.target);
      else
        (0, import_node_fs7.chmodSync)(entry.target, entry.finalMode);
      done.push(entry);
    });
  } catch (error) {
    for (const entry of [...done].reverse()) {
      if (entry.backup)
        restoreFrom(entry.backup, entry.target, entry.mode ?? 384);
      else
        removeQuietly(entry.target);
    }
    undoStaging();
    throw new FixIoError(`${describe(error)}; every file was restored as it was`);
  }
  new Set(staged.map((entry) => (0, import_node_path11.dirname)(entry.target))).forEach((folder) => fsyncPath(folder));
  return { stamp: claimed.stamp, manifest: claimed.path, backups: staged.flatMap((entry) => entry.backup ? [entry.backup] : []), createdHome };
}
function describe(error) {
  const err = error;
  return err.code ? `${err.message.replace(/^\w+: /, "")}` : String(err.message ?? error);
}
function undoLastRun(safety) {
  let names;
  try {
    names = (0, import_node_fs7.readdirSync)(safety.codexHome);
  } catch {
    return null;
  }
  const newest = names.filter((name) => MANIFEST.test(name)).sort().at(-1);
  if (!newest)
    return null;
  const manifestPath = (0, import_node_path11.join)(safety.codexHome, newest);
  const manifest = JSON.parse((0, import_node_fs7.readFileSync)(manifestPath, "utf8"));
  const restored = [];
  const removed = [];
  for (const file of [...manifest.files].reverse()) {
    if (file.created) {
      if ((0, import_node_fs7.existsSync)(file.path)) {
        (0, import_node_fs7.unlinkSync)(file.path);
        removed.push(file.path);
      }
      continue;
    }
    const target = writeTarget(file.path, safety);
    if (!target.ok && (0, import_node_fs7.existsSync)(file.path))
      throw new FixIoError(`refused to restore: ${target.reason}`);
    restoreFrom(file.backup, file.path, file.mode ?? 384);
    restored.push(file.path);
  }
  manifest.files.forEach((file) => file.backup && removeQuietly(file.backup));
  (0, import_node_fs7.unlinkSync)(manifestPath);
  return { stamp: manifest.stamp, restored, removed };
}

// dist/fix/workspace.js
init_import_meta_url();
var Workspace = class _Workspace {
  disk;
  drafts = /* @__PURE__ */ new Map();
  createdFolders = /* @__PURE__ */ new Set();
  constructor(disk) {
    this.disk = disk;
  }
  /** Current text of a file (planned or on disk); null when it does not exist, undefined when it cannot be read. */
  text(path) {
    const draft = this.drafts.get(path);
    if (draft)
      return draft.text;
    const read = this.disk(path);
    return read.status === "ok" ? read.text : read.status === "missing" ? null : void 0;
  }
  draft(path) {
    const existing = this.drafts.get(path);
    if (existing)
      return existing;
    const read = this.disk(path);
    if (read.status === "unreadable")
      return void 0;
    const draft = read.status === "ok" ? { before: read.text, text: read.text, mode: read.mode & 4095, newMode: null } : { before: null, text: "", mode: null, newMode: null };
    this.drafts.set(path, draft);
    return draft;
  }
  write(path, text2) {
    const draft = this.draft(path);
    if (!draft)
      return false;
    draft.text = text2;
    return true;
  }
  chmod(path, mode) {
    const draft = this.draft(path);
    if (!draft || draft.before === null)
      return false;
    draft.newMode = mode;
    return true;
  }
  createFolder(path) {
    this.createdFolders.add(path);
  }
  /** A copy to try a change on without committing to it. */
  fork() {
    const copy = new _Workspace(this.disk);
    this.drafts.forEach((draft, path) => copy.drafts.set(path, { ...draft }));
    this.createdFolders.forEach((folder) => copy.createdFolders.add(folder));
    return copy;
  }
  /** Takes over the state of a fork that proved worth keeping. */
  adopt(fork) {
    this.drafts.clear();
    fork.drafts.forEach((draft, path) => this.drafts.set(path, { ...draft }));
    fork.createdFolders.forEach((folder) => this.createdFolders.add(folder));
  }
  reader() {
    return (path) => {
      const draft = this.drafts.get(path);
      if (!draft)
        return this.disk(path);
      if (draft.before === null && draft.text === "")
        return { status: "missing", path };
      return { status: "ok", path, text: draft.text, mode: draft.newMode ?? draft.mode ?? 384, size: Buffer.byteLength(draft.text) };
    };
  }
  directoryState(disk) {
    return (path) => this.createdFolders.has(path) ? "directory" : disk(path);
  }
  /** The changes to write, one per file that differs from the disk. */
  changes() {
    return [...this.drafts].filter(([, draft]) => draft.before === null ? draft.text !== "" : draft.text !== draft.before || draft.newMode !== null && draft.newMode !== draft.mode).map(([path, draft]) => ({ path, before: draft.before, after: draft.text, newMode: draft.newMode !== null && draft.newMode !== draft.mode ? draft.newMode : null }));
  }
};

// dist/cli/fix.js
var MAX_ROUNDS = 6;
async function makePlan(first, safety, regionChoice, now) {
  const workspace = new Workspace(first.inputs.readFile);
  const context = { workspace, regionChoice, safety: (path) => writeTarget(path, safety), predict: (candidate) => predict(first.inputs, candidate, now) };
  const fixes = [];
  const refusals = [];
  let regionQuestion = null;
  let current = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const plan = await planRound({ ...context, setup: current.setup, results: current.results });
    fixes.push(...plan.fixes);
    plan.refusals.forEach((refusal) => refusals.some((known) => known.description === refusal.description) || refusals.push(refusal));
    regionQuestion = plan.regionQuestion ?? regionQuestion;
    if (plan.fixes.length === 0)
      break;
    current = await context.predict(workspace);
  }
  if (current.results.find((result) => result.id === "region.set")?.status !== "fail")
    regionQuestion = null;
  return { workspace, fixes, refusals, regionQuestion, predicted: current };
}
function describeChanges(changes) {
  return changes.map((change) => {
    const edited = change.before !== change.after;
    const action = change.before === null ? "create" : edited && change.newMode !== null ? "edit+chmod" : edited ? "edit" : "chmod";
    return { path: change.path, action, diff: edited ? unifiedDiff(change.path, change.before, change.after) : "", mode: change.newMode === null ? null : `chmod ${change.newMode.toString(8)}` };
  });
}
function remainingOf(results) {
  return results.filter((result) => result.status === "fail" || result.status === "warn").map((result) => ({ check: result.id, status: result.status, summary: result.summary, instruction: instructionFor(result) }));
}
function withPrediction(before, predicted) {
  return predicted.map((result) => result.status === "skip" && !result.blocked ? before.find((old) => old.id === result.id) ?? result : result);
}
async function askRegion(io, question) {
  const list = question.choices.map((region, index) => `  ${String(index + 1).padStart(2)}. ${region}`).join("\n");
  io.stderr.write(`The region needs your choice: ${question.why}
Codex accepts:
${list}
`);
  const answer = (await io.ask("Region (number or name, Enter to skip): "))?.trim() ?? "";
  const byNumber = /^\d+$/.test(answer) ? question.choices[Number(answer) - 1] : void 0;
  const chosen = byNumber ?? answer;
  return question.choices.includes(chosen) ? chosen : null;
}
function emptyReport(options) {
  return { schemaVersion: 1, tool: { name: "codex-bedrock", version: TOOL_VERSION }, mode: options.mode, applied: false, notAppliedBecause: null, before: null, plan: null, backups: [], undo: null, after: null, remaining: [], error: null };
}
function safetyRules(setup, diagnosis) {
  return { codexHome: setup.codexHome.path, managedConfigPath: diagnosis.inputs.managedConfigPath, uid: typeof process.getuid === "function" ? process.getuid() : null };
}
async function runFix(options, io) {
  const report = emptyReport(options);
  const redactors = [redactorForSetup(null, io.shellEnv)];
  let exitCode = 1;
  const scrub = (text2) => redactors.reduce((value, redactor) => redactor.scrub(value), text2);
  let asked = false;
  const testHook = io.shellEnv[TEST_MODE_ENV] === "1" ? io.shellEnv[TEST_HOOK_ENV] ?? null : null;
  try {
    const inputs = await resolveInputs(options, io.shellEnv);
    const allowList = inputs.codex?.rules.behaviour.regionAllowList ?? [];
    if (options.region !== void 0 && !allowList.includes(options.region)) {
      throw new UsageError(`--region ${options.region} is not a region Codex ${inputs.codex?.rules.release ?? ""} sends to Bedrock; choose one of ${allowList.join(", ")}`);
    }
    if (options.mode === "undo") {
      const codexHome = resolveSetup(inputs).codexHome.path;
      report.undo = undoLastRun({ codexHome, managedConfigPath: inputs.managedConfigPath, uid: null });
      if (!report.undo)
        report.notAppliedBecause = `there is no fix run to undo in ${codexHome}`;
      const after = await diagnose2(inputs, options, io.now);
      redactors.push(redactorForSetup(after.setup, io.shellEnv));
      report.after = summarise(after.results);
      report.remaining = remainingOf(after.results);
      exitCode = report.after.overallStatus === "fail" ? 1 : 0;
    } else {
      const before = await diagnose2(inputs, options, io.now);
      redactors.push(redactorForSetup(before.setup, io.shellEnv));
      report.before = summarise(before.results);
      const safety = safetyRules(before.setup, before);
      const interactive = io.interactive && !options.yes && options.mode === "apply";
      let plan = await makePlan(before, safety, options.region ?? null, io.now);
      if (plan.regionQuestion && interactive && !options.region) {
        const region = await askRegion(io, plan.regionQuestion);
        if (region)
          plan = await makePlan(before, safety, region, io.now);
      }
      const changes = plan.workspace.changes();
      report.plan = { fixes: plan.fixes, changes: describeChanges(changes), refusals: plan.refusals, regionQuestion: plan.regionQuestion };
      report.remaining = remainingOf(withPrediction(before.results, plan.predicted.results));
      exitCode = report.before.overallStatus === "fail" ? 1 : 0;
      let apply = changes.length > 0 && options.mode === "apply";
      if (apply && !options.yes) {
        if (!io.interactive) {
          apply = false;
          report.notAppliedBecause = "no terminal to ask on, so this was a dry run; run codex-bedrock fix --yes to apply";
        } else {
          (options.json ? io.stderr : io.stdout).write(scrub(renderFixHuman(report)));
          asked = true;
          const answer = (await io.ask(`Apply ${changes.length === 1 ? "this change" : `these ${changes.length} changes`}? [y/N] `))?.trim().toLowerCase();
          if (answer !== "y" && answer !== "yes") {
            apply = false;
            report.notAppliedBecause = "you declined";
          }
          report.before = options.json ? report.before : null;
          if (!options.json)
            report.plan = null;
        }
      }
      if (apply) {
        const applied = applyChanges(changes, { safety, now: io.now(), testHook });
        report.applied = true;
        report.backups = applied.backups;
        const after = await diagnose2(inputs, options, io.now);
        redactors.push(redactorForSetup(after.setup, io.shellEnv));
        report.after = summarise(after.results);
        report.remaining = remainingOf(after.results);
        exitCode = report.after.overallStatus === "fail" ? 1 : 0;
      }
    }
  } catch (error) {
    report.error = error instanceof UsageError ? `usage error: ${error.message}` : error instanceof FixIoError ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
    exitCode = 2;
  }
  const scrubbed = redactors.reduce((value, redactor) => redactor.scrubDeep(value), report);
  if (scrubbed.error)
    io.stderr.write(`codex-bedrock: ${scrubbed.error}
`);
  io.stdout.write(options.json ? `${JSON.stringify(scrubbed, null, 2)}
` : scrub(renderFixHuman(scrubbed, !asked)));
  return exitCode;
}

// dist/cli/main.js
var NETWORK_STEPS = 4;
var MAX_TIMEOUT_SECONDS = 600;
function errorDocument(message2) {
  return `${JSON.stringify(buildReport({ version: TOOL_VERSION, generatedAt: /* @__PURE__ */ new Date(), setup: null, results: [], error: message2 }), null, 2)}
`;
}
function armHardCeiling(options) {
  const ceilingMs = Math.round((options.timeoutSeconds * (NETWORK_STEPS + 1) + 5) * 1e3);
  setTimeout(() => {
    const message2 = `internal error: gave up after ${Math.round(ceilingMs / 1e3)} s (the hard ceiling of the whole run)`;
    process.stderr.write(`codex-bedrock: ${message2}
`);
    if (options.format === "json")
      process.stdout.write(errorDocument(message2));
    process.exit(2);
  }, ceilingMs).unref();
}
async function colorLevel(options) {
  if (options.format !== "human" || !options.color)
    return 0;
  if (process.stdout.isTTY !== true && process.env["FORCE_COLOR"] === void 0)
    return 0;
  const { supportsColor: supportsColor2 } = await Promise.resolve().then(() => (init_source(), source_exports));
  return supportsColor2 ? supportsColor2.level : 0;
}
function timeoutProblem(argv, timeoutSeconds) {
  const at = argv.indexOf("--timeout");
  const next = at >= 0 ? argv[at + 1] : void 0;
  if (next !== void 0 && /^-\d|^-\.\d|^-Infinity$/.test(next))
    return `--timeout must be a positive number of seconds (got ${next})`;
  if (timeoutSeconds !== null && timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    return `--timeout must be at most ${MAX_TIMEOUT_SECONDS} seconds (got ${timeoutSeconds}); it limits each network step, and no AWS call needs longer`;
  }
  return null;
}
function usageError(message2, wantsJson, commandName = "doctor") {
  process.stderr.write(`codex-bedrock: usage error: ${visibleLine(message2)}
Run codex-bedrock ${commandName} --help for the options.
`);
  if (wantsJson)
    process.stdout.write(errorDocument(`usage error: ${message2}`));
  return 2;
}
async function main(argv) {
  const command2 = parseCommandLine(argv, process.env, process.stdout.columns);
  const badTimeout = timeoutProblem(argv, command2.kind === "run" || command2.kind === "fix" ? command2.options.timeoutSeconds : null);
  if (badTimeout && (command2.kind === "run" || command2.kind === "fix"))
    return usageError(badTimeout, command2.kind === "run" ? command2.options.format === "json" : argv.includes("--json"), argv[0] === "fix" ? "fix" : "doctor");
  if (command2.kind === "print") {
    process.stdout.write(command2.text);
    return 0;
  }
  if (command2.kind === "usage-error")
    return usageError(command2.message, command2.wantsJson, argv[0] === "fix" ? "fix" : "doctor");
  if (command2.kind === "fix")
    return fixCommand(command2.options);
  const options = command2.options;
  armHardCeiling(options);
  const shellEnv = { ...process.env };
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  try {
    return await runDoctor(options, {
      shellEnv,
      stdout: process.stdout,
      stderr: process.stderr,
      stdoutIsTTY: process.stdout.isTTY === true,
      ...process.stdout.isTTY === true && process.stdout.columns > 0 ? { stdoutColumns: process.stdout.columns } : {},
      colorLevel: await colorLevel(options),
      now: () => /* @__PURE__ */ new Date()
    });
  } catch (error) {
    const message2 = `internal error: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`codex-bedrock: ${visibleLine(message2)}
`);
    if (options.format === "json")
      process.stdout.write(errorDocument(message2));
    return 2;
  }
}
function fixCeiling(options) {
  const ceilingMs = 2 * (options.timeoutSeconds * (NETWORK_STEPS + 1) + 5) * 1e3;
  let timer = null;
  const arm = () => {
    timer = setTimeout(() => {
      const message2 = `internal error: gave up after ${Math.round(ceilingMs / 1e3)} s (the hard ceiling of the whole run)`;
      process.stderr.write(`codex-bedrock: ${message2}
`);
      if (options.json)
        process.stdout.write(`${JSON.stringify({ ...emptyReport(options), error: message2 }, null, 2)}
`);
      process.exit(2);
    }, ceilingMs).unref();
  };
  return { arm, pause: () => timer && clearTimeout(timer) };
}
async function fixCommand(options) {
  const ceiling = fixCeiling(options);
  ceiling.arm();
  const shellEnv = { ...process.env };
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const { createInterface } = await __codexBedrockImport("node:readline/promises");
  const ask = async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    const closed = new Promise((resolve9) => terminal.once("close", () => resolve9(null)));
    ceiling.pause();
    try {
      return await Promise.race([terminal.question(question), closed]);
    } catch {
      return null;
    } finally {
      terminal.close();
      ceiling.arm();
    }
  };
  return runFix(options, {
    shellEnv,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    ask,
    now: () => /* @__PURE__ */ new Date()
  });
}
var outputLost = null;
process.stdout.on("error", (error) => outputLost ??= error);
function exitAfterFlush(code) {
  process.stdout.write("", (error) => {
    const lost = outputLost ?? error;
    if (lost) {
      process.stderr.write(`codex-bedrock: error: the output could not be written to stdout (${lost.code ?? lost.message})
`);
      process.exit(2);
    }
    process.exit(code);
  });
}
main(process.argv.slice(2)).then(exitAfterFlush, (error) => {
  process.stderr.write(`codex-bedrock: internal error: ${error instanceof Error ? error.message : String(error)}
`);
  exitAfterFlush(2);
});
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  main
});
/*! Bundled license information:

yargs-parser/build/lib/string-utils.js:
yargs-parser/build/lib/tokenize-arg-string.js:
yargs-parser/build/lib/yargs-parser-types.js:
yargs-parser/build/lib/yargs-parser.js:
  (**
   * @license
   * Copyright (c) 2016, Contributors
   * SPDX-License-Identifier: ISC
   *)

yargs-parser/build/lib/index.js:
  (**
   * @fileoverview Main entrypoint for libraries using yargs-parser in Node.js
   * CJS and ESM environments.
   *
   * @license
   * Copyright (c) 2016, Contributors
   * SPDX-License-Identifier: ISC
   *)
*/
