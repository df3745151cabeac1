import { describe, expect, it } from 'vitest';
import { readDjangoSettings, type DjangoSettings } from '../../../src/config/django.js';

type Expected = Partial<Omit<DjangoSettings, 'warnings'>> & { warnings?: RegExp[] };

const cases: [string, string, Expected][] = [
  [
    'Heroku-style: prefixed names, committed fallbacks, dj_database_url, hard-coded ALLOWED_HOSTS',
    `import os
import dj_database_url
SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', 'django-insecure-abc')
# DEBUG = True
DEBUG = os.environ.get('DJANGO_DEBUG', '') != 'False'
ALLOWED_HOSTS = ['.herokuapp.com', '127.0.0.1']
DATABASES = {'default': dj_database_url.config(conn_max_age=500)}
STATIC_HOST = os.environ.get('DJANGO_STATIC_HOST', '')
STATIC_URL = STATIC_HOST + '/static/'
EMAIL_HOST = os.getenv("EMAIL_HOST")
`,
    {
      secretKey: 'DJANGO_SECRET_KEY',
      debug: 'DJANGO_DEBUG',
      debugOff: 'False',
      databaseUrl: 'DATABASE_URL',
      staticUrl: 'DJANGO_STATIC_HOST',
      others: ['EMAIL_HOST'],
      warnings: [
        /^SECRET_KEY falls back to a key committed/,
        /^DEBUG is on unless DJANGO_DEBUG says otherwise/,
        /^ALLOWED_HOSTS is hard-coded/,
      ],
    },
  ],
  [
    'os.environ[...] everywhere: nothing to warn about',
    `SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = os.environ.get("DEBUG") == "1"
ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
DATABASES = {"default": dj_database_url.parse(os.environ["DB_URL"])}
`,
    {
      secretKey: 'SECRET_KEY',
      debug: 'DEBUG',
      debugOff: '0',
      allowedHosts: 'ALLOWED_HOSTS',
      databaseUrl: 'DB_URL',
      others: [],
      warnings: [],
    },
  ],
  [
    'django-environ: env(), env.bool with a default, env.list, env.db(); defaults declared in environ.Env',
    `import environ
env = environ.Env(DEBUG=(bool, True))
SECRET_KEY = env('APP_SECRET')
DEBUG = env('DEBUG')
ALLOWED_HOSTS = env.list('APP_HOSTS', default=[])
DATABASES = {'default': env.db()}
CACHE_TTL = env.int('CACHE_TTL', default=60)
`,
    {
      secretKey: 'APP_SECRET',
      debug: 'DEBUG',
      debugOff: 'False',
      allowedHosts: 'APP_HOSTS',
      databaseUrl: 'DATABASE_URL',
      others: ['CACHE_TTL'],
      warnings: [/^DEBUG is on unless DEBUG says otherwise/],
    },
  ],
  [
    'env.bool with default=False is off by default',
    `SECRET_KEY = env.str('SECRET_KEY')\nDEBUG = env.bool('DJANGO_DEBUG', default=False)\n`,
    { secretKey: 'SECRET_KEY', debug: 'DJANGO_DEBUG', debugOff: 'False', warnings: [] },
  ],
  [
    'bool(os.environ.get(...)): only an empty value is false',
    `SECRET_KEY = os.getenv('KEY')\nDEBUG = bool(os.environ.get('DJANGO_DEBUG', True))\n`,
    { secretKey: 'KEY', debug: 'DJANGO_DEBUG', debugOff: '', warnings: [/^DEBUG is on unless DJANGO_DEBUG/] },
  ],
  [
    'committed SECRET_KEY and DEBUG = True (startproject as generated)',
    `SECRET_KEY = 'django-insecure-xyz'\nDEBUG = True\nALLOWED_HOSTS = []\nDATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.sqlite3',\n    }\n}\n`,
    {
      others: [],
      warnings: [/^SECRET_KEY is a string committed in settings.py/, /^DEBUG = True is committed/, /^ALLOWED_HOSTS is hard-coded/],
    },
  ],
  [
    'a setting spread over lines; dj_database_url.config(env=..., default=...)',
    `DATABASES = {
    'default': dj_database_url.config(
        env='PRIMARY_DB',
        default='sqlite:///db.sqlite3',
    ),
}
ALLOWED_HOSTS = os.environ.get(
    'DJANGO_ALLOWED_HOSTS', 'localhost'
).split(',')
`,
    { databaseUrl: 'PRIMARY_DB', allowedHosts: 'DJANGO_ALLOWED_HOSTS', warnings: [] },
  ],
];

describe('readDjangoSettings: the environment names settings.py reads, and what it falls back to', () => {
  it.each(cases)('%s', (_, text, expected) => {
    const got = readDjangoSettings(text);
    const { warnings, ...rest } = expected;
    expect(got).toMatchObject(rest);
    for (const key of ['secretKey', 'debug', 'allowedHosts', 'databaseUrl', 'staticUrl'] as const)
      if (!(key in expected)) expect(got[key], key).toBeUndefined();
    if (warnings) {
      expect(got.warnings).toHaveLength(warnings.length);
      warnings.forEach((w, i) => expect(got.warnings[i]).toMatch(w));
    }
  });
});
