using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace LiftedGan.Checkpoints;

/// <summary>
/// A pickle virtual machine for protocols 2–5 that builds plain values (<see cref="PyDict"/>, lists,
/// <see cref="PyTuple"/>, strings, numbers) and resolves globals only through <see cref="SafeGlobals"/>'s allow-list:
/// it never imports, executes or reflects on a name from the file. Every length is checked against the bytes left
/// before anything is allocated, and the stack and memo are capped, so a forged file ends in a typed error.
/// </summary>
internal sealed class PickleMachine
{
    const int MaxStack = 1 << 22, MaxMarks = 1 << 20, MaxLineBytes = 1024, MaxLongBytes = 4096;

    [ThreadStatic] static PickleMachine? t_active;

    /// <summary>The limits of the pickle being run on this thread (for the allow-listed globals), or the defaults.</summary>
    internal static CheckpointLimits ActiveLimits => t_active?._limits ?? DefaultLimits;

    /// <summary>
    /// Charges bytes that an allow-listed global is about to allocate (a numpy array's copy, an encoded string) to the
    /// running pickle's budget: min(MaxTotalBytes, 2 x pickle size + slack), so one memo-shared buffer rebuilt many
    /// times cannot multiply memory. Throws <see cref="PickleDataException"/> beyond it.
    /// </summary>
    internal static void ChargeAllocation(long bytes, string what)
    {
        if (t_active is not { } m) return;
        long cap = m._limits.TotalBytesFor(m._in.Length);
        if (bytes < 0 || bytes > cap - m._allocated)
            throw new PickleDataException($"{what} of {bytes} bytes passes the read budget of {cap} bytes ({m._allocated} already allocated)");
        m._allocated += bytes;
    }

    long _allocated;

    static readonly CheckpointLimits DefaultLimits = new();

    readonly Stream _in;
    readonly string _path;
    readonly Func<object?, object?>? _persistentLoad;
    readonly List<object?> _stack = new();
    readonly Stack<int> _marks = new();
    readonly Dictionary<long, object?> _memo = new();
    readonly CheckpointLimits _limits;
    long _ops;

    /// <param name="input">A seekable stream positioned at the pickle; left just after its STOP.</param>
    /// <param name="path">The file name for error messages.</param>
    /// <param name="persistentLoad">Resolves persistent ids (torch storages); null refuses them.</param>
    /// <param name="limits">Op, memo and key budgets; null for the defaults.</param>
    public PickleMachine(Stream input, string path, Func<object?, object?>? persistentLoad, CheckpointLimits? limits = null)
    {
        _in = input;
        _limits = limits ?? DefaultLimits;
        _path = path;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Runs to the STOP opcode and returns the pickled value.</summary>
    public object? Run()
    {
        var outer = t_active;
        t_active = this;
        try { return Execute(); }
        catch (PickleDataException e) { throw Bad(e.Message); }
        catch (EndOfStreamException) { throw Bad("truncated pickle"); }
        finally { t_active = outer; }
    }

    object? Execute()
    {
        while (true)
        {
            long at = _in.Position;
            byte op = ReadByte();
            _ops += op is (byte)'}' or (byte)'d' ? 8 : 1;
            if (_ops > _limits.MaxPickleOps) throw Bad($"pickle runs more than {_limits.MaxPickleOps} operations (the read budget)");
            switch (op)
            {
                case 0x80: // PROTO
                    if (ReadByte() > 5) throw Bad($"unsupported pickle protocol at byte {at}");
                    break;
                case 0x95: // FRAME
                    if (ReadUInt64() > (ulong)Remaining) throw Bad("frame length beyond end of data");
                    break;
                case (byte)'.': // STOP
                    return Pop();
                case (byte)'(': // MARK
                    if (_marks.Count >= MaxMarks) throw Bad("too many nested marks");
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP

                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: // LONG4
                {
                    int n = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
                    if (n < 0) throw Bad("negative LONG4 length");
                    Push(ReadLong(n));
                    break;
                }
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT

                case (byte)'X': Push(ReadUtf8(ReadUInt32())); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadUInt64())); break; // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadUInt32()))); break; // BINSTRING (py2 str)
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadUInt32())); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadUInt64())); break; // BINBYTES8
                case 0x96: Push(ReadBytes(ReadUInt64())); break; // BYTEARRAY8

                case (byte)')': Push(PyTuple.Empty); break; // EMPTY_TUPLE
                case 0x85: Push(new PyTuple(Pop())); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PyTuple(a, b)); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PyTuple(a, b, c)); break; } // TUPLE3
                case (byte)'t': Push(new PyTuple(PopMark())); break; // TUPLE

                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(new List<object?>(PopMark())); break; // LIST
                case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; } // APPENDS

                case (byte)'}': Push(new PyDict()); break; // EMPTY_DICT
                case (byte)'d': { var d = new PyDict(); SetItems(d, PopMark()); Push(d); break; } // DICT
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(AsDict(Peek()), k, v); break; } // SETITEM
                case (byte)'u': { var items = PopMark(); SetItems(AsDict(Peek()), items); break; } // SETITEMS

                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(ReadUInt32())); break; // LONG_BINGET
                case (byte)'q': MemoPut(ReadByte()); break; // BINPUT
                case (byte)'r': MemoPut(ReadUInt32()); break; // LONG_BINPUT
                case 0x94: MemoPut(_memo.Count); break; // MEMOIZE

                case (byte)'c': // GLOBAL
                {
                    string module = ReadLine(), name = ReadLine();
                    Push(SafeGlobals.Resolve(module, name) ?? throw new UnsafePickleException(_path, $"{module}.{name}"));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop(); var module = Pop();
                    if (module is not string m || name is not string n) throw Bad("STACK_GLOBAL needs two strings");
                    Push(SafeGlobals.Resolve(m, n) ?? throw new UnsafePickleException(_path, $"{m}.{n}"));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop(); var callable = Pop();
                    Push(Call(callable, args));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop(); var cls = Pop();
                    Push(Call(cls, args));
                    break;
                }
                case 0x92: // NEWOBJ_EX
                {
                    var kwargs = Pop(); var args = Pop(); var cls = Pop();
                    if (kwargs is not PyDict { Count: 0 }) throw Bad("NEWOBJ_EX with keyword arguments is not supported");
                    Push(Call(cls, args));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    SafeGlobals.Build(Peek(), state);
                    break;
                }
                case (byte)'Q': // BINPERSID
                {
                    var pid = Pop();
                    if (_persistentLoad == null) throw Bad("persistent id in a plain pickle");
                    Push(_persistentLoad(pid));
                    break;
                }
                default:
                    throw Bad($"unsupported pickle opcode 0x{op:x2} at byte {at}");
            }
        }
    }

    object? Call(object? callable, object? args)
    {
        if (callable is not PyGlobal g) throw Bad($"cannot call a {Describe(callable)}");
        if (args is not PyTuple t) throw Bad($"{g.Name}: arguments are a {Describe(args)}, not a tuple");
        return g.Call(t);
    }

    static List<object?> AsList(object? o) => o as List<object?> ?? throw new PickleDataException($"APPEND to a {Describe(o)}");
    static PyDict AsDict(object? o) => o as PyDict ?? throw new PickleDataException($"SETITEM on a {Describe(o)}");

    void SetItems(PyDict d, object?[] items)
    {
        if (items.Length % 2 != 0) throw new PickleDataException("odd number of dict items");
        for (int i = 0; i < items.Length; i += 2) SetItem(d, items[i], items[i + 1]);
    }

    /// <summary>Keys are limited to plain hashable values of bounded size (see <see cref="PyDict.KeyProblem"/>).</summary>
    void SetItem(PyDict d, object? key, object? value) => d.SetFromPickle(key, value, _limits);

    internal static string Describe(object? o) => o switch
    {
        null => "None",
        PyGlobal g => g.Name,
        List<object?> => "list",
        _ => o.GetType().Name,
    };

    void Push(object? o)
    {
        if (_stack.Count >= MaxStack) throw Bad("pickle stack too deep");
        _stack.Add(o);
    }

    object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Bad("pickle stack underflow");
        var o = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return o;
    }

    object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Bad("pickle stack underflow");
        return _stack[^1];
    }

    object?[] PopMark()
    {
        if (_marks.Count == 0) throw Bad("no MARK on the pickle stack");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Bad($"memo entry {index} was never stored");

    void MemoPut(long index)
    {
        if (_memo.Count >= _limits.MaxMemo && !_memo.ContainsKey(index)) throw Bad($"pickle memo has more than {_limits.MaxMemo} entries (the read budget)");
        _memo[index] = Peek();
    }

    long Remaining => _in.Length - _in.Position;

    byte ReadByte()
    {
        int b = _in.ReadByte();
        return b < 0 ? throw Bad("truncated pickle (no STOP)") : (byte)b;
    }

    byte[] ReadBytes(ulong n)
    {
        if (n > (ulong)Remaining) throw Bad($"length {n} runs past the end of the data");
        var buffer = new byte[n];
        _in.ReadExactly(buffer);
        return buffer;
    }

    uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
    ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    string ReadUtf8(ulong n)
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes(n)); }
        catch (DecoderFallbackException) { throw Bad("invalid UTF-8 in a string"); }
    }

    object ReadLong(int n)
    {
        if (n > MaxLongBytes) throw Bad($"integer of {n} bytes is too large");
        var v = new BigInteger(ReadBytes((ulong)n), isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }

    string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') return sb.ToString();
            if (sb.Length >= MaxLineBytes || b < 0x20 || b > 0x7e) throw Bad("malformed GLOBAL name");
            sb.Append((char)b);
        }
    }

    CheckpointFormatException Bad(string problem) => new(_path, problem);
}
