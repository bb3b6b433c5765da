#define JVERSION        "6b  27-Mar-1998"
#define JCOPYRIGHT      "libjpeg-turbo (see its LICENSE.md)"
#define JCOPYRIGHT_SHORT  "Copyright (C) libjpeg-turbo contributors"
