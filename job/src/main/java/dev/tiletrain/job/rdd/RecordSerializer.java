package dev.tiletrain.job.rdd;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Kryo serialization of a Java record through its accessors and canonical constructor. Spark's Kryo 4
 * cannot serialize records with its default FieldSerializer ("can't get field offset on a record class");
 * and the constructor runs, so a record's checks hold for what arrives on an executor too.
 * Component values of reference types travel with their class, which must be registered as well.
 */
public final class RecordSerializer<T extends Record> extends Serializer<T> {
    private final RecordComponent[] components;
    private final Method[] accessors;
    private final Constructor<T> constructor;

    public RecordSerializer(Class<T> type) {
        components = type.getRecordComponents();
        accessors = Arrays.stream(components).map(RecordComponent::getAccessor).toArray(Method[]::new);
        try {
            constructor = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            constructor.setAccessible(true);
            for (Method m : accessors) {
                m.setAccessible(true);
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type + " has no canonical constructor", e);
        }
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        for (int i = 0; i < components.length; i++) {
            Object value;
            try {
                value = accessors[i].invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + components[i] + " of " + record.getClass(), e);
            }
            Class<?> type = components[i].getType();
            if (type == int.class) {
                output.writeInt((Integer) value);
            } else if (type == long.class) {
                output.writeLong((Long) value);
            } else if (type == float.class) {
                output.writeFloat((Float) value);
            } else if (type == double.class) {
                output.writeDouble((Double) value);
            } else if (type == boolean.class) {
                output.writeBoolean((Boolean) value);
            } else if (type.isPrimitive()) {
                kryo.writeObject(output, value);
            } else {
                kryo.writeClassAndObject(output, value);
            }
        }
    }

    @Override
    public T read(Kryo kryo, Input input, Class<T> type) {
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            Class<?> c = components[i].getType();
            if (c == int.class) {
                values[i] = input.readInt();
            } else if (c == long.class) {
                values[i] = input.readLong();
            } else if (c == float.class) {
                values[i] = input.readFloat();
            } else if (c == double.class) {
                values[i] = input.readDouble();
            } else if (c == boolean.class) {
                values[i] = input.readBoolean();
            } else if (c.isPrimitive()) {
                values[i] = kryo.readObject(input, boxed(c));
            } else {
                values[i] = kryo.readClassAndObject(input);
            }
        }
        try {
            return constructor.newInstance(values);
        } catch (InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException("cannot construct " + type, e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the constructor of " + type + " refused what arrived", e.getCause());
        }
    }

    private static Class<?> boxed(Class<?> primitive) {
        return primitive == short.class ? Short.class : primitive == byte.class ? Byte.class : Character.class;
    }
}
